/**
 * Every path on a node that more than one renderer (or a renderer and a component) names, in one
 * place: where the node script writes a file is where another step reads it.
 */

// --- hacluster's own ---
/** Root-only secret files the secrets step (or a cloud's fetch) delivers. */
const SECRETS_DIR = "/etc/hacluster/secrets";
/** The bootstrap (join) token, root-only. */
export const TOKEN_FILE = `${SECRETS_DIR}/bootstrap-token`;
/** The CA's discovery hash, for platforms whose join configs hold DISCOVERY_HASH_PLACEHOLDER. */
export const DISCOVERY_HASH_FILE = `${SECRETS_DIR}/discovery-hash`;
/**
 * Control planes receive the shared CAs and keys here; every kubeadm run copies them into
 * /etc/kubernetes/pki first, because `kubeadm reset` (a failed join's retry) empties that one.
 */
export const STAGED_PKI_DIR = `${SECRETS_DIR}/pki`;
/** Written when kubeadm init / join finished: a half-finished run is never taken as done. */
export const INIT_DONE = "/var/lib/hacluster/kubeadm-init.done";
export const JOIN_DONE = "/var/lib/hacluster/kubeadm-join.done";
/** The node's kubeadm config with the token left out (public). */
export const KUBEADM_TEMPLATE = "/etc/hacluster/kubeadm.yaml";
/** Root-only tmpfs directory: the kubeadm config with the token, fetched secret scripts while they run. */
export const RUN_DIR = "/run/hacluster";
/** The kubeadm config with the token substituted, only while kubeadm runs. */
export const KUBEADM_RUN = `${RUN_DIR}/kubeadm.yaml`;
/** Where cloud-init writes the node script, and where its output goes. */
export const BOOTSTRAP_SCRIPT = "/var/lib/hacluster/bootstrap.sh";
export const BOOTSTRAP_LOG = "/var/log/hacluster-bootstrap.log";
/** Timers' scripts. */
export const TOKEN_REFRESH_BIN = "/usr/local/sbin/hacluster-token-refresh";
export const CSR_APPROVER_BIN = "/usr/local/sbin/hacluster-approve-kubelet-serving";
export const SNAPSHOT_BIN = "/usr/local/sbin/hacluster-etcd-snapshot";
export const RESTORE_BIN = "/usr/local/sbin/hacluster-etcd-restore";

// --- Kubernetes ---
/** kubeadm's certificate directory. */
export const PKI_DIR = "/etc/kubernetes/pki";
export const ENCRYPTION_CONFIG = "/etc/kubernetes/enc/encryption-config.yaml";
export const AUDIT_POLICY = "/etc/kubernetes/audit/policy.yaml";
export const AUDIT_LOG_DIR = "/var/log/kubernetes/audit";
/** pkgs.k8s.io's signing key. */
export const K8S_APT_KEYRING = "/etc/apt/keyrings/kubernetes-apt-keyring.asc";

// --- etcd (external members; stacked members are kubeadm's) ---
export const ETCD_PKI_DIR = "/etc/etcd/pki";
export const ETCD_DATA_DIR = "/var/lib/etcd";
export const ETCD_BIN = "/usr/local/bin/etcd";
export const ETCD_ENV_PATH = "/etc/etcd/etcd.env";
export const ETCD_UNIT_PATH = "/etc/systemd/system/etcd.service";

// --- LB hosts ---
export const HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";
export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";
/** The VRRPv2 password include, root-only (0600). */
export const VRRP_AUTH_FILE = "/etc/keepalived/vrrp-auth.conf";
/** keepalived's API check (root-owned, 0755). */
export const CHECK_SCRIPT = "/etc/keepalived/check_apiserver.sh";
