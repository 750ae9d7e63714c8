# shellcheck shell=bash
# containerd 2 (daemon, runc shim, ctr), static, and its systemd unit from the same release.
PART_VARS=(CONTAINERD_VERSION)
PART_INPUTS=(modules/containerd)
part_build() {
    local v=$CONTAINERD_VERSION p=github.com/containerd/containerd/v2
    local ld="-X $p/version.Version=v$v -X $p/version.Package=$p -X $p/version.Revision=v$v"
    (cd "$TOOLCHAIN_DIR/modules/containerd" &&
        go build -trimpath -tags "no_btrfs no_devmapper no_zfs urfave_cli_no_docs" -ldflags "-s -w $ld" -o "$OUT/bin/" \
            $p/cmd/containerd $p/cmd/containerd-shim-runc-v2 $p/cmd/ctr)
    reports "v$v" "$OUT/bin/containerd" --version
    local src
    src=$(cd "$TOOLCHAIN_DIR/modules/containerd" && go list -m -f '{{.Dir}}' $p)
    install -m 0644 "$src/containerd.service" "$OUT/containerd.service"
    echo "$v" >"$OUT/version"
}
