# shellcheck shell=bash
# The pause container's program, compiled from Kubernetes' own build/pause/linux/pause.c
# (as its Makefile does: static, with the version compiled in).
PART_VARS=(PAUSE_VERSION)
PART_DEPS=(kubernetes-1.37)
part_build() {
    local src
    src=$(cd "$TOOLCHAIN_DIR/modules/kubernetes-1.37" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c
    [[ -f $src ]] || die "no $src in the Kubernetes module"
    gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION" -o "$OUT/pause" "$src"
    strip "$OUT/pause"
    reports "v$PAUSE_VERSION" "$OUT/pause" -v
}
