/** Where the secret files land on control planes (pure; shared by PKI and node scripts). */
import { ENCRYPTION_CONFIG, PKI_DIR } from "../render/paths";

/** The root-only files a control plane must hold before kubeadm runs, besides the join token. */
export function controlPlaneSecretPaths(etcd: "stacked" | "external"): string[] {
    return [
        ENCRYPTION_CONFIG,
        `${PKI_DIR}/ca.key`,
        `${PKI_DIR}/sa.key`,
        `${PKI_DIR}/front-proxy-ca.key`,
        ...(etcd === "stacked" ? [`${PKI_DIR}/etcd/ca.key`] : [`${PKI_DIR}/apiserver-etcd-client.key`]),
    ];
}
