# shellcheck shell=bash
# Kubernetes 1.37: kubeadm, kubelet, kubectl and the control-plane commands.
PART_VARS=(K8S_RELEASES)
PART_INPUTS=(modules/kubernetes-1.37 parts/kubernetes.inc.sh)
part_build() {
    # shellcheck source=kubernetes.inc.sh
    source "$TOOLCHAIN_DIR/parts/kubernetes.inc.sh"
    local v
    for v in $K8S_RELEASES; do [[ $v == 1.37.* ]] && kubernetes_build "$v"; done
    [[ -f $OUT/version ]] || die "versions.env names no 1.37 release"
}
