/**
 * Node preparation (pure): what every Kubernetes node needs before kubeadm runs, for Debian and
 * Ubuntu hosts: kernel modules, sysctls, swap off, containerd 2 and runc from their release
 * archives (checksummed), containerd set up for the kubelet (systemd cgroups, the pause image,
 * registry hosts), and kubelet/kubeadm/kubectl pinned from the Kubernetes package repository and
 * held. Every download comes from the stack's mirror where it names one, else from upstream.
 *
 * Proven in the lab (lab/, `npm run test:lab`) on Debian 12 hosts booted from a bare rootfs: the
 * order below is what makes a first run on a fresh host and a re-run both succeed — the apt key
 * is in place before the repository that names it, packages install without a terminal and keep
 * files we wrote first (`--force-confold`), and dpkg waits for a first-boot unattended-upgrades
 * run instead of failing on its lock.
 */
import { K8S_APT_KEYRING } from "./paths";
import type { NodeFile } from "./script";

/** A release archive: where from, and how it is checked. */
export interface Download {
    readonly url: string;
    /** Expected SHA-256; when absent, the checksum file at `sumsUrl` (upstream's) is the reference. */
    readonly sha256?: string;
    readonly sumsUrl?: string;
    /** The archive's name as the checksum file lists it. */
    readonly sumsName?: string;
}

export interface PrepareInput {
    /** e.g. `1.37.2`. */
    readonly kubernetesVersion: string;
    readonly minor: number;
    /** Debian package revision of the Kubernetes packages. @default "1.1" */
    readonly packageRevision?: string;
    /** The Kubernetes apt repository for this minor, and its key (armored) when the stack gives it. */
    readonly packages: { readonly url: string; readonly signingKey?: string };
    readonly containerd: { readonly version: string; readonly download: Download };
    readonly runc: { readonly version: string; readonly download: Download };
    /** The pause image containerd runs pods' sandboxes from (kubeadm's, from the same registry). */
    readonly sandboxImage: string;
    /** The registry kubeadm's images come from, when it is not a public one (containerd hosts.toml). */
    readonly registry?: { readonly host: string; readonly insecure: boolean; readonly caCert?: string };
    /** Hosts are system containers: containerd must not lower OOM scores below its own. */
    readonly systemContainer: boolean;
}

/** kubeadm's pause image tag (constants.PauseVersion) for the supported releases. */
export const KUBEADM_PAUSE = "3.10.2";
const K8S_APT_LIST = "/etc/apt/sources.list.d/kubernetes.list";
const SYSCTL_FILE = "/etc/sysctl.d/90-kubernetes.conf";
const CONTAINERD_CONFIG = "/etc/containerd/config.toml";
const CONTAINERD_UNIT = "/etc/systemd/system/containerd.service";
const CERTS_DIR = "/etc/containerd/certs.d";

/** pkgs.k8s.io's repository for a minor. */
export function packageRepo(minor: number, template = "https://pkgs.k8s.io/core:/stable:/v{minor}/deb/"): string {
    return template.replace(/\{minor\}/g, `1.${minor}`);
}

/** Upstream release archives, checked against the checksum files their projects publish. */
export function upstreamContainerd(version: string): Download {
    const base = `https://github.com/containerd/containerd/releases/download/v${version}`;
    const name = `containerd-${version}-linux-amd64.tar.gz`;
    return { url: `${base}/${name}`, sumsUrl: `${base}/${name}.sha256sum`, sumsName: name };
}

export function upstreamRunc(version: string): Download {
    const base = `https://github.com/opencontainers/runc/releases/download/v${version}`;
    return { url: `${base}/runc.amd64`, sumsUrl: `${base}/runc.sha256sum`, sumsName: "runc.amd64" };
}

/** containerd's systemd unit as upstream ships it (containerd.service), with its binary in /usr/local/bin. */
function containerdUnit(systemContainer: boolean): string {
    return `[Unit]
Description=containerd container runtime
Documentation=https://containerd.io
After=network.target dbus.service

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/containerd
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
${systemContainer ? "# A system container cannot lower OOM scores (no CAP_SYS_RESOURCE): containerd keeps its own.\n" : "OOMScoreAdjust=-999\n"}
[Install]
WantedBy=multi-user.target
`;
}

/** containerd 2 (config version 3): systemd cgroups as the kubelet, the pause image, registry hosts. */
function containerdConfig(input: PrepareInput): string {
    return `version = 3

[plugins.'io.containerd.cri.v1.images']
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = '${input.sandboxImage}'
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = '${CERTS_DIR}'

[plugins.'io.containerd.cri.v1.runtime']
  restrict_oom_score_adj = ${input.systemContainer}
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
    runtime_type = 'io.containerd.runc.v2'
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
      SystemdCgroup = true
`;
}

function registryFiles(r: PrepareInput["registry"]): NodeFile[] {
    if (!r) return [];
    const dir = `${CERTS_DIR}/${r.host}`;
    const scheme = r.insecure ? "http" : "https";
    const files: NodeFile[] = [
        {
            path: `${dir}/hosts.toml`,
            content: `server = "${scheme}://${r.host}"\n\n[host."${scheme}://${r.host}"]\n  capabilities = ["pull", "resolve"]\n${r.caCert ? `  ca = "${dir}/ca.crt"\n` : ""}`,
        },
    ];
    if (r.caCert) files.push({ path: `${dir}/ca.crt`, content: r.caCert });
    return files;
}

export function prepareFiles(input: PrepareInput): NodeFile[] {
    return [
        { path: "/etc/modules-load.d/kubernetes.conf", content: "overlay\nbr_netfilter\n" },
        {
            path: SYSCTL_FILE,
            content: ["net.bridge.bridge-nf-call-iptables = 1", "net.bridge.bridge-nf-call-ip6tables = 1", "net.ipv4.ip_forward = 1", ""].join("\n"),
        },
        { path: CONTAINERD_UNIT, content: containerdUnit(input.systemContainer) },
        { path: CONTAINERD_CONFIG, content: containerdConfig(input) },
        ...registryFiles(input.registry),
        // With the key in the stack, it is in place before apt ever reads the repository.
        ...(input.packages.signingKey ? [{ path: K8S_APT_KEYRING, content: input.packages.signingKey }] : []),
    ];
}

function fetchArgs(d: Download): string {
    return [d.url, d.sha256 ?? "", d.sumsUrl ?? "", d.sumsName ?? ""].map((s) => `'${s}'`).join(" ");
}

/** Bash steps; run after {@link prepareFiles} are written. Idempotent: a re-run changes nothing. */
export function prepareSteps(input: PrepareInput): string {
    const pkg = `${input.kubernetesVersion}-${input.packageRevision ?? "1.1"}`;
    const repo = input.packages.url;
    return `# --- node preparation ---
# The kubelet refuses to run with swap on (unless configured otherwise): off now and at boot.
swapoff -a
sed -ri '/^[^#].*\\sswap\\s/s/^/#hacluster-swapoff# /' /etc/fstab
modprobe overlay
modprobe br_netfilter
sysctl -q -p ${SYSCTL_FILE}
hacluster_apt_ensure curl ca-certificates
# containerd and runc from their release archives, checksummed.
if [[ $(/usr/local/bin/containerd --version 2>/dev/null | awk '{print $3}') != v${input.containerd.version} ]]; then
  tmp=$(mktemp -d)
  hacluster_fetch ${fetchArgs(input.containerd.download)} "$tmp/containerd.tar.gz"
  tar -xzf "$tmp/containerd.tar.gz" -C /usr/local bin/containerd bin/containerd-shim-runc-v2 bin/ctr
  rm -rf "$tmp"
  HACLUSTER_CHANGED+="/usr/local/bin/containerd "
fi
if ! grep -qx "runc version ${input.runc.version}" <<<"$(/usr/local/sbin/runc --version 2>/dev/null)"; then
  hacluster_fetch ${fetchArgs(input.runc.download)} /usr/local/sbin/runc.new
  install -m 0755 /usr/local/sbin/runc.new /usr/local/sbin/runc
  rm -f /usr/local/sbin/runc.new
fi
if hacluster_changed ${CONTAINERD_UNIT}; then systemctl daemon-reload; fi
systemctl enable --now containerd
if hacluster_changed ${CONTAINERD_CONFIG} || hacluster_changed /usr/local/bin/containerd || hacluster_changed ${CONTAINERD_UNIT}; then
  systemctl restart containerd
fi
# The Kubernetes packages: the key first, then the repository that names it.
install -d -m 0755 /etc/apt/keyrings
if [[ ! -s ${K8S_APT_KEYRING} ]]; then
  curl -fsSL --retry 5 --connect-timeout 10 --max-time 60 -o ${K8S_APT_KEYRING}.new '${repo}Release.key'
  mv ${K8S_APT_KEYRING}.new ${K8S_APT_KEYRING}
fi
hacluster_write ${K8S_APT_LIST} 0644 <<'HACLUSTER_EOF'
deb [signed-by=${K8S_APT_KEYRING}] ${repo} /
HACLUSTER_EOF
want=${pkg}
have=$(dpkg-query -W -f='\${Version}' kubeadm 2>/dev/null || true)
if [[ -n $have && $have != "$want" && -f /etc/kubernetes/kubelet.conf ]]; then
  # A joined node changes version only through kubeadm upgrade, never by a package swap.
  echo "hacluster: this node runs kubeadm $have, the stack asks for $want: upgrade with kubeadm upgrade first" >&2
  exit 1
fi
if [[ $have != "$want" ]] || hacluster_changed ${K8S_APT_LIST}; then
  apt-mark unhold kubelet kubeadm kubectl >/dev/null 2>&1 || true
  hacluster_apt update
  hacluster_apt install --allow-downgrades "kubelet=$want" "kubeadm=$want" "kubectl=$want"
  apt-mark hold kubelet kubeadm kubectl >/dev/null
fi
systemctl enable kubelet
`;
}
