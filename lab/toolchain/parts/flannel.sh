# shellcheck shell=bash
# flanneld and the flannel CNI plugin, and flannel's own kube-flannel.yml of the same release
# (the mirror serves it with its images pointed at the mirror's registry).
PART_VARS=(FLANNEL_VERSION)
PART_INPUTS=(modules/flannel modules/flannel-cni)
part_build() {
    # flanneld's udp backend is C (cgo): built static, as flannel's Makefile does.
    (cd "$TOOLCHAIN_DIR/modules/flannel" &&
        CGO_ENABLED=1 go build -trimpath -tags "netgo osusergo" \
            -ldflags "-s -w -X github.com/flannel-io/flannel/pkg/version.Version=v$FLANNEL_VERSION -extldflags -static" \
            -o "$OUT/bin/" github.com/flannel-io/flannel)
    mv "$OUT/bin/flannel" "$OUT/bin/flanneld"
    go_build flannel "$OUT/bin" "" github.com/flannel-io/flannel/cmd/install_conf
    mv "$OUT/bin/install_conf" "$OUT/bin/install-conf"
    go_build flannel-cni "$OUT/cni" "" github.com/containernetworking/plugins/plugins/meta/flannel
    local src
    src=$(cd "$TOOLCHAIN_DIR/modules/flannel" && go list -m -f '{{.Dir}}' github.com/flannel-io/flannel)
    install -m 0644 "$src/Documentation/kube-flannel.yml" "$OUT/kube-flannel.yml"
}
