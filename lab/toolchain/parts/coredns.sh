# shellcheck shell=bash
# CoreDNS, one build per release kubeadm names (modules/coredns-X.Y.Z).
PART_VARS=(COREDNS_VERSIONS)
PART_INPUTS=(modules/coredns-1.14.2 modules/coredns-1.14.6)
part_build() {
    local v
    for v in $COREDNS_VERSIONS; do
        [[ -d $TOOLCHAIN_DIR/modules/coredns-$v ]] || die "no wrapper module modules/coredns-$v"
        go_build "coredns-$v" "$OUT/$v" "" github.com/coredns/coredns
        reports "CoreDNS-$v" "$OUT/$v/coredns" -version
    done
}
