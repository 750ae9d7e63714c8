/**
 * A kubeconfig whose user authenticates through a credential plugin (pure): `aws eks get-token`,
 * `gke-gcloud-auth-plugin`. No credential is stored in it; it is still exported as a secret,
 * like every kubeconfig of this project.
 */
import { stringify } from "yaml";

interface ExecCredential {
    readonly command: string;
    readonly args: readonly string[];
    /** Shown by kubectl when the command is missing. */
    readonly installHint: string;
    /** Pass the cluster's server and CA to the plugin (GKE's plugin wants them). @default false */
    readonly provideClusterInfo?: boolean;
}

export interface ExecKubeconfigInput {
    /** Cluster, user and context name. */
    readonly name: string;
    /** `https://host[:port]`. */
    readonly server: string;
    /** The cluster CA, base64 encoded PEM (as EKS and GKE report it). */
    readonly caData: string;
    readonly exec: ExecCredential;
}

export function renderExecKubeconfig(i: ExecKubeconfigInput): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: i.name, cluster: { server: i.server, "certificate-authority-data": i.caData } }],
        users: [
            {
                name: i.name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: i.exec.command,
                        args: [...i.exec.args],
                        interactiveMode: "IfAvailable",
                        installHint: i.exec.installHint,
                        ...(i.exec.provideClusterInfo ? { provideClusterInfo: true } : {}),
                    },
                },
            },
        ],
        contexts: [{ name: i.name, context: { cluster: i.name, user: i.name } }],
        "current-context": i.name,
    });
}
