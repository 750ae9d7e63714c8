/**
 * Node preparation (pure): what every Kubernetes node needs before kubeadm runs, for Debian and
 * Ubuntu hosts: kernel modules, sysctls, swap off, containerd with the systemd cgroup driver, and
 * kubelet/kubeadm/kubectl pinned from the Kubernetes package repository (pkgs.k8s.io) and held.
 */
import { K8S_APT_KEYRING } from "./paths";
import type { NodeFile } from "./script";

export interface PrepareInput {
    /** e.g. `1.34.2`. */
    readonly kubernetesVersion: string;
    readonly minor: number;
    /** Debian package revision on pkgs.k8s.io. @default "1.1" */
    readonly packageRevision?: string;
}

function packageRepo(minor: number): string {
    return `https://pkgs.k8s.io/core:/stable:/v1.${minor}/deb/`;
}

export function prepareFiles(input: PrepareInput): NodeFile[] {
    return [
        { path: "/etc/modules-load.d/kubernetes.conf", content: "overlay\nbr_netfilter\n" },
        {
            path: "/etc/sysctl.d/90-kubernetes.conf",
            content: [
                "net.bridge.bridge-nf-call-iptables = 1",
                "net.bridge.bridge-nf-call-ip6tables = 1",
                "net.ipv4.ip_forward = 1",
                "",
            ].join("\n"),
        },
        {
            // Minimal containerd config: the kubelet and containerd must agree on the systemd cgroup driver.
            path: "/etc/containerd/config.toml",
            content: [
                "version = 2",
                "",
                '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
                '  runtime_type = "io.containerd.runc.v2"',
                "",
                '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
                "  SystemdCgroup = true",
                "",
            ].join("\n"),
        },
        {
            path: "/etc/apt/sources.list.d/kubernetes.list",
            content: `deb [signed-by=${K8S_APT_KEYRING}] ${packageRepo(input.minor)} /\n`,
        },
    ];
}

/** Bash steps; run after {@link prepareFiles} are written. Idempotent. */
export function prepareSteps(input: PrepareInput): string {
    const pkg = `${input.kubernetesVersion}-${input.packageRevision ?? "1.1"}`;
    return `# --- node preparation ---
# The kubelet refuses to run with swap on (unless configured otherwise): off now and at boot.
swapoff -a
sed -ri '/^[^#].*\\sswap\\s/s/^/#hacluster-swapoff# /' /etc/fstab
modprobe overlay
modprobe br_netfilter
sysctl --system >/dev/null
if ! command -v containerd >/dev/null || ! command -v gpg >/dev/null; then
  apt-get update -q
  apt-get install -y -q containerd apt-transport-https ca-certificates curl gpg
fi
if hacluster_changed /etc/containerd/config.toml; then
  systemctl restart containerd
fi
systemctl enable --now containerd
install -d -m 0755 /etc/apt/keyrings
if [[ ! -s ${K8S_APT_KEYRING} ]]; then
  curl -fsSL ${packageRepo(input.minor)}Release.key | gpg --dearmor --yes -o ${K8S_APT_KEYRING}
fi
want=${pkg}
have=$(dpkg-query -W -f='\${Version}' kubeadm 2>/dev/null || true)
if [[ -n $have && $have != "$want" && -f /etc/kubernetes/kubelet.conf ]]; then
  # A joined node changes version only through kubeadm upgrade, never by a package swap.
  echo "hacluster: this node runs kubeadm $have, the stack asks for $want: upgrade with kubeadm upgrade first" >&2
  exit 1
fi
if [[ $have != "$want" ]]; then
  apt-mark unhold kubelet kubeadm kubectl >/dev/null 2>&1 || true
  apt-get update -q
  apt-get install -y -q --allow-downgrades "kubelet=$want" "kubeadm=$want" "kubectl=$want"
  apt-mark hold kubelet kubeadm kubectl >/dev/null
fi
systemctl enable kubelet
`;
}
