/** A kubeconfig (pure), built as an object and serialised. */
import { stringify } from "yaml";

export interface KubeconfigInput {
    readonly cluster: string;
    /** `https://host:port`. */
    readonly server: string;
    readonly caPem: string;
    readonly user: string;
    readonly clientCertPem: string;
    readonly clientKeyPem: string;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

export function renderKubeconfig(i: KubeconfigInput): string {
    const context = `${i.user}@${i.cluster}`;
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: i.cluster, cluster: { server: i.server, "certificate-authority-data": b64(i.caPem) } }],
        users: [{ name: i.user, user: { "client-certificate-data": b64(i.clientCertPem), "client-key-data": b64(i.clientKeyPem) } }],
        contexts: [{ name: context, context: { cluster: i.cluster, user: i.user } }],
        "current-context": context,
    });
}
