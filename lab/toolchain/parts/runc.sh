# shellcheck shell=bash
# runc, statically linked with libseccomp (Debian's libseccomp-dev), as upstream releases it.
PART_VARS=(RUNC_VERSION)
PART_INPUTS=(modules/runc)
part_build() {
    if ! { command -v pkg-config >/dev/null && pkg-config --exists libseccomp; }; then die "runc needs libseccomp-dev and pkg-config (apt-get install libseccomp-dev pkg-config)"; fi
    (cd "$TOOLCHAIN_DIR/modules/runc" &&
        CGO_ENABLED=1 go build -trimpath -tags "seccomp urfave_cli_no_docs netgo osusergo" \
            -ldflags "-s -w -X main.version=$RUNC_VERSION -X main.gitCommit=v$RUNC_VERSION -extldflags -static" \
            -o "$OUT/runc" github.com/opencontainers/runc)
    reports "runc version $RUNC_VERSION" "$OUT/runc" --version
    reports "libseccomp" "$OUT/runc" --version
}
