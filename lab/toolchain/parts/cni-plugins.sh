# shellcheck shell=bash
# The CNI reference plugins (what the kubernetes-cni package installs in /opt/cni/bin).
PART_VARS=(CNI_PLUGINS_VERSION)
PART_INPUTS=(modules/cni-plugins)
part_build() {
    local pkgs
    mapfile -t pkgs < <(sed -n 's/^\t\(github.com\/containernetworking\/plugins\/plugins\/.*\)$/\1/p' "$TOOLCHAIN_DIR/modules/cni-plugins/go.mod")
    ((${#pkgs[@]} > 10)) || die "modules/cni-plugins/go.mod lists too few plugins"
    go_build cni-plugins "$OUT/bin" "-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=v$CNI_PLUGINS_VERSION" "${pkgs[@]}"
    echo "$CNI_PLUGINS_VERSION" >"$OUT/version"
}
