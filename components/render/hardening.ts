/**
 * API server hardening beyond kubeadm's defaults (pure): encryption of Secrets at rest and an
 * audit policy with rotated logs. The encryption config holds the key, so it travels with the
 * other root-only secret files; the audit policy is public.
 */
import { stringify } from "yaml";
import { AUDIT_LOG_DIR, AUDIT_POLICY, ENCRYPTION_CONFIG } from "./paths";


/** EncryptionConfiguration: Secrets sealed with secretbox (XSalsa20-Poly1305); reads of old plain data still work. */
export function renderEncryptionConfig(keyBase64: string): string {
    if (Buffer.from(keyBase64, "base64").length !== 32) throw new Error("encryption key must be 32 bytes, base64-encoded");
    return stringify({
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "EncryptionConfiguration",
        resources: [{ resources: ["secrets"], providers: [{ secretbox: { keys: [{ name: "key1", secret: keyBase64 }] } }, { identity: {} }] }],
    });
}

/**
 * Audit policy: who changed what, without logging secret contents. Health probes and the
 * kubelets' and controllers' routine reads are left out (they would drown the log).
 */
export function renderAuditPolicy(): string {
    return stringify({
        apiVersion: "audit.k8s.io/v1",
        kind: "Policy",
        omitStages: ["RequestReceived"],
        rules: [
            { level: "None", nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics"] },
            { level: "None", users: ["system:kube-proxy"], verbs: ["watch"], resources: [{ group: "", resources: ["endpoints", "services", "services/status"] }] },
            { level: "None", userGroups: ["system:nodes"], verbs: ["get", "list", "watch"] },
            { level: "None", users: ["system:kube-scheduler", "system:kube-controller-manager"], verbs: ["get", "list", "watch"] },
            { level: "None", resources: [{ group: "", resources: ["events"] }, { group: "coordination.k8s.io", resources: ["leases"] }] },
            // Secret-bearing objects: who and when, never the payload.
            { level: "Metadata", resources: [{ group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"] }, { group: "authentication.k8s.io", resources: ["tokenreviews"] }] },
            { level: "Metadata", verbs: ["get", "list", "watch"] },
            { level: "Request" },
        ],
    });
}

/** kube-apiserver flags and host mounts that go with the files above. */
export const HARDENING = {
    apiServerArgs: {
        "encryption-provider-config": ENCRYPTION_CONFIG,
        "audit-policy-file": AUDIT_POLICY,
        "audit-log-path": `${AUDIT_LOG_DIR}/audit.log`,
        "audit-log-maxage": "30",
        "audit-log-maxbackup": "10",
        "audit-log-maxsize": "100",
        profiling: "false",
        // Kubelets serve certificates from the cluster CA (serverTLSBootstrap + the CSR approver).
        "kubelet-certificate-authority": "/etc/kubernetes/pki/ca.crt",
    },
    controllerManagerArgs: { profiling: "false" },
    schedulerArgs: { profiling: "false" },
    apiServerVolumes: [
        { name: "encryption-config", hostPath: "/etc/kubernetes/enc", mountPath: "/etc/kubernetes/enc", readOnly: true, pathType: "DirectoryOrCreate" },
        { name: "audit-policy", hostPath: "/etc/kubernetes/audit", mountPath: "/etc/kubernetes/audit", readOnly: true, pathType: "DirectoryOrCreate" },
        { name: "audit-log", hostPath: AUDIT_LOG_DIR, mountPath: AUDIT_LOG_DIR, readOnly: false, pathType: "DirectoryOrCreate" },
    ],
} as const;
