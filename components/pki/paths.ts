/** Where the secret files land on control planes (pure; shared by PKI and node scripts). */
import { ENCRYPTION_CONFIG, STAGED_PKI_DIR } from "../render/paths";

/** The staged path of a file kubeadm reads from /etc/kubernetes/pki, e.g. `ca.key`, `etcd/ca.crt`. */
export function stagedPki(rel: string): string {
    return `${STAGED_PKI_DIR}/${rel}`;
}

/** The root-only files a control plane must hold before kubeadm runs, besides the join token. */
export function controlPlaneSecretPaths(etcd: "stacked" | "external"): string[] {
    return [
        ENCRYPTION_CONFIG,
        stagedPki("ca.key"),
        stagedPki("sa.key"),
        stagedPki("front-proxy-ca.key"),
        ...(etcd === "stacked" ? [stagedPki("etcd/ca.key")] : [stagedPki("apiserver-etcd-client.key")]),
    ];
}
