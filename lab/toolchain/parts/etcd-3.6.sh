# shellcheck shell=bash
# etcd 3.6 (the release one Kubernetes release's kubeadm names).
PART_VARS=(ETCD_VERSIONS)
PART_INPUTS=(modules/etcd-3.6 parts/etcd.inc.sh)
part_build() {
    # shellcheck source=etcd.inc.sh
    source "$TOOLCHAIN_DIR/parts/etcd.inc.sh"
    local v
    for v in $ETCD_VERSIONS; do [[ $v == 3.6.* ]] && etcd_build "$v"; done
    [[ -f $OUT/version ]] || die "versions.env names no etcd 3.6 release"
}
