/**
 * Node scripts per role (pure): which files a node receives and the steps that turn them into a
 * running LB host, etcd member, control plane or worker. Platforms deliver the result (SSH stdin,
 * cloud-init) and never add steps of their own, so every platform boots nodes the same way.
 *
 * Secrets are never in these scripts: the platform delivers them first (root-only files, see
 * `secretsScript`); the steps check they are present and read them from disk.
 */
import { renderRestoreScript, renderSnapshotScript, renderSnapshotUnits, type BackupInput, type RestoreInput } from "./backup";
import { renderEtcdEnv, renderEtcdUnit, type EtcdMemberInput } from "./etcd";
import { renderHaproxyCfg, type HaproxyInput } from "./haproxy";
import { renderCheckApiserverScript, renderKeepalivedConf, type CheckScriptInput, type KeepalivedInput } from "./keepalived";
import { renderAuditPolicy } from "./hardening";
import { csrApproverFiles, ENABLE_CSR_APPROVER } from "./kubelet-serving";
import { DISCOVERY_HASH_PLACEHOLDER, renderKubeadmConfig, TOKEN_PLACEHOLDER, type KubeadmInput } from "./kubeadm";
import { JOIN_TOKEN_TTL_HOURS } from "./join-token";
import {
    AUDIT_POLICY,
    CHECK_SCRIPT,
    DISCOVERY_HASH_FILE,
    ETCD_BIN,
    ETCD_ENV_PATH,
    ETCD_PKI_DIR,
    ETCD_UNIT_PATH,
    HAPROXY_CFG,
    INIT_DONE,
    JOIN_DONE,
    KEEPALIVED_CONF,
    KUBEADM_RUN,
    KUBEADM_TEMPLATE,
    PKI_DIR,
    RESTORE_BIN,
    RUN_DIR,
    SNAPSHOT_BIN,
    STAGED_PKI_DIR,
    TOKEN_FILE,
    TOKEN_REFRESH_BIN,
    VRRP_AUTH_FILE,
} from "./paths";
import { prepareFiles, prepareSteps, type Download, type PrepareInput } from "./prepare";
import { renderScript, shq, type NodeFile } from "./script";

/** Fails early, with the file named, when the secrets step has not delivered a file. */
function requireFiles(paths: readonly string[]): string {
    if (paths.length === 0) return "";
    return `required_files=(${paths.map(shq).join(" ")})
for f in "\${required_files[@]}"; do
  [[ -s $f ]] || { echo "hacluster: missing $f: the secrets step delivers it before this script" >&2; exit 1; }
done
`;
}

/** Points the endpoint name at an address in /etc/hosts (one managed line). */
function hostsEntry(address: string, name: string): string {
    return `sed -i '/# hacluster-endpoint$/d' /etc/hosts
echo ${shq(`${address} ${name} # hacluster-endpoint`)} >>/etc/hosts
`;
}

/** Writes the kubeadm config with the secret token substituted, readable by root only, in /run. */
const KUBEADM_CONFIG_FN = `hacluster_kubeadm_config() {
  local token hash="" tmpl
  token=$(<${TOKEN_FILE})
  if [[ -f ${DISCOVERY_HASH_FILE} ]]; then hash=$(<${DISCOVERY_HASH_FILE}); fi
  tmpl=$(<${KUBEADM_TEMPLATE})
  tmpl=\${tmpl//${TOKEN_PLACEHOLDER}/$token}
  install -d -m 0700 ${RUN_DIR}
  (umask 077; printf '%s\\n' "\${tmpl//${DISCOVERY_HASH_PLACEHOLDER}/$hash}" >${KUBEADM_RUN})
}
trap 'rm -f ${KUBEADM_RUN}' EXIT
`;

/** Copies the staged CAs and keys into kubeadm's directory (a no-op on workers, which have none). */
const PLACE_PKI_FN = `hacluster_place_pki() {
  [[ -d ${STAGED_PKI_DIR} ]] || return 0
  install -d -m 0755 ${PKI_DIR}
  cp -a ${STAGED_PKI_DIR}/. ${PKI_DIR}/
}
`;

export interface LbScriptInput {
    readonly node: string;
    readonly zone: string;
    readonly haproxy: HaproxyInput;
    readonly keepalived: KeepalivedInput;
    readonly check: CheckScriptInput;
}

export function lbScript(input: LbScriptInput): string {
    const files: NodeFile[] = [
        { path: HAPROXY_CFG, content: renderHaproxyCfg(input.haproxy) },
        { path: KEEPALIVED_CONF, content: renderKeepalivedConf(input.keepalived) },
        { path: CHECK_SCRIPT, content: renderCheckApiserverScript(input.check), mode: "0755" },
        // HAProxy may bind the VIP before keepalived holds it.
        { path: "/etc/sysctl.d/90-hacluster-lb.conf", content: "net.ipv4.ip_nonlocal_bind = 1\n" },
    ];
    // Only VRRPv2 authenticates: a VRRPv3 host gets no password file.
    const steps = `${requireFiles(input.keepalived.vrrpVersion === 3 ? [] : [VRRP_AUTH_FILE])}
sysctl -q -p /etc/sysctl.d/90-hacluster-lb.conf
# Our haproxy.cfg and keepalived.conf are already in place: the packages keep them (--force-confold).
hacluster_apt_ensure haproxy keepalived curl
haproxy -c -q -f ${HAPROXY_CFG}
keepalived -t -f ${KEEPALIVED_CONF}
systemctl enable --now haproxy keepalived
if hacluster_changed ${HAPROXY_CFG}; then systemctl reload haproxy; fi
if hacluster_changed ${KEEPALIVED_CONF} || hacluster_changed ${CHECK_SCRIPT}; then
  systemctl reload keepalived
fi
echo "hacluster: ${input.node} serves the API endpoint"`;
    return renderScript({ node: input.node, description: `lb, zone ${input.zone}`, files, steps });
}

/** An etcd release and where its archive comes from. */
export interface EtcdRelease {
    readonly version: string;
    readonly download: Download;
}

/** etcd's own release archive, checked against the SHA256SUMS published beside it. */
export function upstreamEtcd(version: string): Download {
    const base = `https://github.com/etcd-io/etcd/releases/download/v${version}`;
    const name = `etcd-v${version}-linux-amd64.tar.gz`;
    return { url: `${base}/${name}`, sumsUrl: `${base}/SHA256SUMS`, sumsName: name };
}

export interface EtcdScriptInput {
    readonly node: string;
    readonly zone: string;
    readonly member: EtcdMemberInput;
    /** etcd release to install. */
    readonly etcd: EtcdRelease;
    /** Bash that puts the member's secret files in place first (clouds). */
    readonly fetchSecrets?: string;
    /** etcd snapshots on this member. */
    readonly backup?: NodeBackup;
}

/** etcd snapshots on a node: the timer, the snapshot script and the restore script. */
export interface NodeBackup {
    readonly snapshot: BackupInput;
    readonly restore: RestoreInput;
    readonly onCalendar: string;
    /** etcd release whose etcdctl takes the snapshots on control planes (stacked). */
    readonly etcd: EtcdRelease;
}

function backupNodeFiles(b: NodeBackup): NodeFile[] {
    return [
        { path: SNAPSHOT_BIN, content: renderSnapshotScript(b.snapshot), mode: "0755" },
        { path: RESTORE_BIN, content: renderRestoreScript(b.restore), mode: "0755" },
        ...renderSnapshotUnits(b.onCalendar),
    ];
}

const ENABLE_SNAPSHOTS = `systemctl daemon-reload
systemctl enable --now hacluster-etcd-snapshot.timer
`;

/** Installs a pinned etcd release (SHA256-checked): the server, etcdctl and etcdutl, or the clients alone. */
function etcdInstall(etcd: EtcdRelease, bin: string, server: boolean): string {
    const dir = bin.slice(0, bin.lastIndexOf("/"));
    const probe = server ? `${bin} --version` : `${dir}/etcdctl version`;
    const d = etcd.download;
    const fetch = [d.url, d.sha256 ?? "", d.sumsUrl ?? "", d.sumsName ?? ""].map(shq).join(" ");
    // grep reads a captured string, never a pipe: under pipefail grep -q's early exit would kill
    // the writer with SIGPIPE and fail the check at random (seen in the lab).
    return `if ! grep -q "etcd.* [Vv]ersion: ${etcd.version}$" <<<"$(${probe} 2>/dev/null)"; then
  hacluster_apt_ensure curl ca-certificates
  tmp=$(mktemp -d)
  hacluster_fetch ${fetch} "$tmp/etcd.tar.gz"
  tar -xzf "$tmp/etcd.tar.gz" -C "$tmp" --strip-components=1
${server ? `  install -m 0755 "$tmp/etcd" ${bin}
` : ""}  install -m 0755 "$tmp/etcdctl" "$tmp/etcdutl" ${dir}/
  rm -rf "$tmp"
  grep -q "etcd.* [Vv]ersion: ${etcd.version}$" <<<"$(${probe})" || { echo "hacluster: the etcd archive is not release ${etcd.version}" >&2; exit 1; }
fi`;
}

export function etcdScript(input: EtcdScriptInput): string {
    const m = input.member;
    const bin = m.etcdBinary;
    const files: NodeFile[] = [
        { path: ETCD_ENV_PATH, content: renderEtcdEnv(m), mode: "0644" },
        { path: ETCD_UNIT_PATH, content: renderEtcdUnit(m) },
    ];
    const backupFiles = input.backup ? backupNodeFiles(input.backup) : [];
    const steps = `${input.fetchSecrets ?? ""}${requireFiles([`${m.pkiDir}/ca.crt`, `${m.pkiDir}/server.crt`, `${m.pkiDir}/server.key`, `${m.pkiDir}/peer.crt`, `${m.pkiDir}/peer.key`])}
${etcdInstall(input.etcd, bin, true)}
install -d -m 0700 ${m.dataDir}
systemctl daemon-reload
systemctl enable etcd
# Members wait for each other to form the cluster: start without blocking, the health step waits.
if systemctl is-active --quiet etcd; then
  if hacluster_changed ${ETCD_ENV_PATH} || hacluster_changed ${ETCD_UNIT_PATH}; then
    systemctl restart --no-block etcd
  fi
else
  systemctl start --no-block etcd
fi
${input.backup ? ENABLE_SNAPSHOTS : ""}echo "hacluster: etcd member ${input.node} started"`;
    return renderScript({ node: input.node, description: `etcd, zone ${input.zone}`, files: [...files, ...backupFiles], steps });
}

export interface KubeNodeScriptInput {
    readonly node: string;
    readonly zone: string;
    readonly prepare: PrepareInput;
    readonly kubeadm: KubeadmInput;
    /** Endpoint name (`controlPlaneEndpoint` host). */
    readonly endpointHost: string;
    /** Where joining nodes send the endpoint name before they have a local API server. */
    readonly endpointAddress?: string;
    /** Secret files the step requires (besides the token). */
    readonly secretFiles: readonly string[];
    /** CNI manifest applied once by the first control plane. */
    readonly cniManifestUrl?: string;
    /**
     * Bash that puts the secret files in place, run first (clouds: read from the cloud's secret
     * store with the node's identity). On-prem the secrets step has already delivered them.
     */
    readonly fetchSecrets?: string;
    /** Joins wait (bounded, 20 min) until the endpoint answers /readyz: cloud nodes boot in any order. */
    readonly waitForEndpoint?: boolean;
    /** `kubeadm join` attempts, with a reset between them. @default 3 */
    readonly joinAttempts?: number;
    /** etcd snapshots on this control plane (stacked etcd). */
    readonly backup?: NodeBackup;
}

function controlPlaneBackupSteps(b: NodeBackup | undefined): string {
    return b ? `${etcdInstall(b.etcd, ETCD_BIN, false)}
${ENABLE_SNAPSHOTS}` : "";
}

/**
 * Control planes keep the join token valid: a timer re-creates its Secret with a two-hour expiry
 * every hour, so scaling groups can add workers at any time while no token lives forever.
 */
function tokenRefreshFiles(): NodeFile[] {
    return [
        { path: TOKEN_REFRESH_BIN, content: TOKEN_REFRESH_SCRIPT, mode: "0755" },
        {
            path: "/etc/systemd/system/hacluster-token-refresh.service",
            content: `[Unit]
Description=hacluster: keep the node join token valid
After=kubelet.service

[Service]
Type=oneshot
ExecStart=${TOKEN_REFRESH_BIN}
`,
        },
        {
            path: "/etc/systemd/system/hacluster-token-refresh.timer",
            content: `[Unit]
Description=hacluster: refresh the node join token hourly

[Timer]
OnBootSec=5min
OnUnitActiveSec=1h
RandomizedDelaySec=5min

[Install]
WantedBy=timers.target
`,
        },
    ];
}

const ENABLE_TOKEN_REFRESH = `systemctl daemon-reload
systemctl enable --now hacluster-token-refresh.timer
`;

/** The first control plane: prepare, then `kubeadm init` with the shared CAs already in place. */
export function initScript(input: KubeNodeScriptInput): string {
    const steps = `${input.fetchSecrets ?? ""}${prepareSteps(input.prepare)}
${requireFiles([TOKEN_FILE, ...input.secretFiles])}
${KUBEADM_CONFIG_FN}
# A control plane reaches the endpoint name on itself: no hairpin through its own load balancer.
${hostsEntry("127.0.0.1", input.endpointHost)}
${PLACE_PKI_FN}
if [[ ! -f ${INIT_DONE} ]]; then
  hacluster_kubeadm_config
  if [[ -f /etc/kubernetes/admin.conf ]] && kubectl --kubeconfig=/etc/kubernetes/admin.conf --request-timeout=10s -n kube-system get configmap kubeadm-config >/dev/null 2>&1; then
    # The cluster exists (kubeadm uploaded its config): finish the phases after that one; they are idempotent.
    kubeadm init phase mark-control-plane --config ${KUBEADM_RUN}
    kubeadm init phase bootstrap-token --config ${KUBEADM_RUN} --skip-token-print
    kubeadm init phase addon all --config ${KUBEADM_RUN}
  else
    if [[ -d /var/lib/etcd/member ]] && [[ -f /etc/kubernetes/admin.conf ]]; then
      echo "hacluster: this node holds etcd data but its API server does not answer: not resetting it; see README 'Day 2'" >&2
      exit 1
    fi
    # Nothing yet, or an init that stopped before the cluster existed (admin.conf is written early): start clean.
    if [[ -e /etc/kubernetes/admin.conf || -e /etc/kubernetes/manifests/kube-apiserver.yaml ]]; then kubeadm reset -f; fi
    hacluster_place_pki
    # The CAs and service-account keys are in place, so kubeadm signs with them; no --upload-certs.
    kubeadm init --config ${KUBEADM_RUN} --skip-token-print
  fi
  rm -f ${KUBEADM_RUN}
  install -d -m 0755 /var/lib/hacluster
  touch ${INIT_DONE}
fi
export KUBECONFIG=/etc/kubernetes/admin.conf
retry 60 5 kubectl get --raw=/readyz >/dev/null
${input.cniManifestUrl ? `kubectl apply -f ${shq(input.cniManifestUrl)} >/dev/null\n` : ""}${ENABLE_TOKEN_REFRESH}${ENABLE_CSR_APPROVER}${controlPlaneBackupSteps(input.backup)}echo "hacluster: ${input.node} initialised the cluster"`;
    return renderScript({
        node: input.node,
        description: `control-plane (init), zone ${input.zone}`,
        files: [
            ...prepareFiles(input.prepare),
            { path: KUBEADM_TEMPLATE, content: renderKubeadmConfig(input.kubeadm), mode: "0600" },
            { path: AUDIT_POLICY, content: renderAuditPolicy() },
            ...tokenRefreshFiles(),
            ...csrApproverFiles({ nodeCidrs: input.kubeadm.nodeCidrs ?? [] }),
            ...(input.backup ? backupNodeFiles(input.backup) : []),
        ],
        steps,
    });
}

/** A joining control plane or worker: prepare, then `kubeadm join`, retried with a reset between tries. */
export function joinScript(input: KubeNodeScriptInput): string {
    const controlPlane = input.kubeadm.role.kind === "join-control-plane";
    const preJoin = input.endpointAddress ? hostsEntry(input.endpointAddress, input.endpointHost) : "";
    const wait = input.waitForEndpoint
        ? `  # Cloud nodes boot in any order: wait (at most 20 minutes) for the first control plane.\n  retry 120 10 curl -fsk --max-time 5 -o /dev/null ${shq(`https://${input.kubeadm.controlPlaneEndpoint}/readyz`)}\n`
        : "";
    const steps = `${input.fetchSecrets ?? ""}${prepareSteps(input.prepare)}
${requireFiles([TOKEN_FILE, ...input.secretFiles])}
${KUBEADM_CONFIG_FN}
${PLACE_PKI_FN}
# One attempt from a clean node: kubeadm reset undoes a failed try (and a stacked etcd member it
# added); the staged CAs are copied back in before every try.
hacluster_join() {
  if [[ -e /etc/kubernetes/kubelet.conf || -d /etc/kubernetes/manifests && -n $(ls -A /etc/kubernetes/manifests) ]]; then
    kubeadm reset -f >/dev/null 2>&1 || true
  fi
  hacluster_place_pki
  kubeadm join --config ${KUBEADM_RUN}
}
if [[ ! -f ${JOIN_DONE} ]]; then
  if [[ -f /etc/kubernetes/kubelet.conf ${controlPlane ? "&& -f /etc/kubernetes/manifests/kube-apiserver.yaml " : ""}]]; then
    : # joined by a run before completion markers existed
  else
    # Before the join there is no local API server: reach the endpoint through the load balancer.
    ${preJoin.trim().split("\n").join("\n    ")}
${wait.replace(/^  /gm, "    ")}    hacluster_kubeadm_config
    retry ${input.joinAttempts ?? 3} 30 hacluster_join
    rm -f ${KUBEADM_RUN}
  fi
  install -d -m 0755 /var/lib/hacluster
  touch ${JOIN_DONE}
fi
${controlPlane ? `# Joined: from now on this control plane answers the endpoint name itself.\n${hostsEntry("127.0.0.1", input.endpointHost)}${ENABLE_TOKEN_REFRESH}${ENABLE_CSR_APPROVER}${controlPlaneBackupSteps(input.backup)}` : ""}
echo "hacluster: ${input.node} joined as ${controlPlane ? "control plane" : "worker"}"`;
    return renderScript({
        node: input.node,
        description: `${controlPlane ? "control-plane" : "worker"}, zone ${input.zone}`,
        files: [
            ...prepareFiles(input.prepare),
            { path: KUBEADM_TEMPLATE, content: renderKubeadmConfig(input.kubeadm), mode: "0600" },
            ...(controlPlane
                ? [{ path: AUDIT_POLICY, content: renderAuditPolicy() }, ...tokenRefreshFiles(), ...csrApproverFiles({ nodeCidrs: input.kubeadm.nodeCidrs ?? [] })]
                : []),
            ...(controlPlane && input.backup ? backupNodeFiles(input.backup) : []),
        ],
        steps,
    });
}

/**
 * Run on the first control plane before a node joins: (re)creates the bootstrap token as a
 * Secret valid for two more hours, so nodes added long after `kubeadm init` still join. The token
 * is read from the root-only file and piped to kubectl, never put on a command line.
 */
export const TOKEN_REFRESH_SCRIPT = `#!/usr/bin/env bash
set -euo pipefail
export KUBECONFIG=/etc/kubernetes/admin.conf
token=$(<${TOKEN_FILE})
id=\${token%%.*}
secret=\${token#*.}
expiration=$(date -u -d '+${JOIN_TOKEN_TTL_HOURS} hours' +%Y-%m-%dT%H:%M:%SZ)
kubectl apply --server-side --force-conflicts -f - >/dev/null <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-$id
  namespace: kube-system
type: bootstrap.kubernetes.io/token
stringData:
  token-id: "$id"
  token-secret: "$secret"
  expiration: "$expiration"
  usage-bootstrap-authentication: "true"
  usage-bootstrap-signing: "true"
  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token
EOF
echo "hacluster: join token valid until $expiration"
`;

/** Waits (bounded) until a joined node is registered; run on the first control plane. */
export function nodeRegisteredScript(node: string): string {
    return `#!/usr/bin/env bash
set -euo pipefail
export KUBECONFIG=/etc/kubernetes/admin.conf
for _ in $(seq 1 60); do
  if kubectl get node ${shq(node)} >/dev/null 2>&1; then echo "hacluster: node ${node} registered"; exit 0; fi
  sleep 5
done
echo "hacluster: node ${node} did not register within 5 minutes" >&2
exit 1
`;
}

/** Drains and deletes a node before it is reset; run on the first control plane. */
export function nodeRemovalScript(node: string): string {
    return `#!/usr/bin/env bash
set -uo pipefail
export KUBECONFIG=/etc/kubernetes/admin.conf
kubectl drain ${shq(node)} --ignore-daemonsets --delete-emptydir-data --timeout=300s || true
kubectl delete node ${shq(node)} --ignore-not-found
`;
}

/** Waits (bounded) until every external etcd member is healthy; run on the first etcd host. */
export function etcdHealthScript(endpoints: readonly string[], pkiDir: string): string {
    return `#!/usr/bin/env bash
set -euo pipefail
for _ in $(seq 1 60); do
  if ETCDCTL_API=3 etcdctl --endpoints=${shq(endpoints.join(","))} --cacert=${pkiDir}/ca.crt --cert=${pkiDir}/peer.crt --key=${pkiDir}/peer.key endpoint health >/dev/null 2>&1; then
    echo "hacluster: etcd cluster healthy (${endpoints.length} members)"
    exit 0
  fi
  sleep 5
done
echo "hacluster: etcd did not become healthy within 5 minutes" >&2
exit 1
`;
}

/**
 * The secrets step's script: writes root-only files. Its text holds secrets, so platforms pass it
 * only as a secret input (SSH stdin), never on a command line.
 */
export function secretsScript(node: string, files: readonly NodeFile[]): string {
    const body = files
        .map((f) => {
            if (f.content.includes("HACLUSTER_SECRET_EOF")) throw new Error(`secret file ${f.path} contains the heredoc delimiter`);
            const content = f.content.endsWith("\n") ? f.content : `${f.content}\n`;
            return `install -d -m 0700 "$(dirname ${shq(f.path)})"\n(umask 077; cat >${shq(f.path)} <<'HACLUSTER_SECRET_EOF'\n${content}HACLUSTER_SECRET_EOF\n)\nchmod ${f.mode ?? "0600"} ${shq(f.path)}`;
        })
        .join("\n");
    return `#!/usr/bin/env bash
# hacluster secrets for ${node}: root-only files. Never logged.
set -euo pipefail
${body}
echo "hacluster: ${files.length} secret files in place on ${node}"
`;
}

/** Backup settings (spec.etcd.backup plus the etcd release). */
export interface BackupSettings {
    readonly keep: number;
    readonly onCalendar: string;
    readonly copyCommand?: string;
    /** Upload bash from render/backup-store.ts (clouds: the stack's bucket). */
    readonly upload?: string;
    readonly etcd: EtcdRelease;
    readonly clusterToken: string;
}

/**
 * Snapshots for one etcd member: on a control plane (stacked: kubeadm's healthcheck-client
 * certificate) or on an external member (its own certificate).
 */
export function etcdBackupFor(
    topology: "stacked" | "external",
    member: { readonly name: string; readonly address: string },
    members: readonly { readonly name: string; readonly address: string }[],
    s: BackupSettings,
): NodeBackup {
    const tls =
        topology === "stacked"
            ? { caFile: `${PKI_DIR}/etcd/ca.crt`, certFile: `${PKI_DIR}/etcd/healthcheck-client.crt`, keyFile: `${PKI_DIR}/etcd/healthcheck-client.key` }
            : { caFile: `${ETCD_PKI_DIR}/ca.crt`, certFile: `${ETCD_PKI_DIR}/peer.crt`, keyFile: `${ETCD_PKI_DIR}/peer.key` };
    return {
        snapshot: { endpoint: "https://127.0.0.1:2379", tls, keep: s.keep, ...(s.copyCommand ? { copyCommand: s.copyCommand } : {}), ...(s.upload ? { upload: s.upload } : {}) },
        restore:
            topology === "external"
                ? { topology }
                : {
                      topology,
                      stacked: {
                          name: member.name,
                          peerUrl: `https://${member.address}:2380`,
                          initialCluster: members.map((m) => `${m.name}=https://${m.address}:2380`).join(","),
                          token: s.clusterToken,
                      },
                  },
        onCalendar: s.onCalendar,
        etcd: s.etcd,
    };
}
