# shellcheck shell=bash
# crictl (the cri-tools package).
PART_VARS=(CRI_TOOLS_VERSION)
PART_INPUTS=(modules/cri-tools)
part_build() {
    go_build cri-tools "$OUT/bin" "-X sigs.k8s.io/cri-tools/pkg/version.Version=v$CRI_TOOLS_VERSION" sigs.k8s.io/cri-tools/cmd/crictl
    reports "v$CRI_TOOLS_VERSION" "$OUT/bin/crictl" --version
}
