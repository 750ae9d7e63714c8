# shellcheck shell=bash
# The release archives a node downloads, laid out under the same paths as their upstream
# release pages (github.com/<owner>/<repo>/releases/download/<tag>/...), with the checksum files
# upstream publishes beside them: etcd (SHA256SUMS), containerd (<archive>.sha256sum), runc
# (runc.sha256sum). Tarballs are reproducible (sorted, fixed owner and time, gzip -n).
PART_VARS=(CONTAINERD_VERSION RUNC_VERSION)
PART_DEPS=(etcd-3.6 etcd-3.7 containerd runc)
rtar() { # dir-to-archive output.tar.gz (archive holds the dir's basename)
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$(dirname "$1")" -c "$(basename "$1")" | gzip -9n >"$2"
}
part_build() {
    local gh="$OUT/github.com" s v d
    for s in 3.6 3.7; do
        v=$(cat "$(part_dir "etcd-$s")/version")
        d="$gh/etcd-io/etcd/releases/download/v$v"
        mkdir -p "$d" "$LAB_CACHE/tmp/etcd-v$v-linux-amd64"
        cp "$(part_dir "etcd-$s")"/bin/{etcd,etcdctl,etcdutl} "$LAB_CACHE/tmp/etcd-v$v-linux-amd64/"
        rtar "$LAB_CACHE/tmp/etcd-v$v-linux-amd64" "$d/etcd-v$v-linux-amd64.tar.gz"
        rm -rf "$LAB_CACHE/tmp/etcd-v$v-linux-amd64"
        (cd "$d" && sha256sum etcd-v"$v"-linux-amd64.tar.gz >SHA256SUMS)
    done
    v=$CONTAINERD_VERSION
    d="$gh/containerd/containerd/releases/download/v$v"
    mkdir -p "$d" "$LAB_CACHE/tmp/ctrd/bin"
    cp "$(part_dir containerd)"/bin/* "$LAB_CACHE/tmp/ctrd/bin/"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$LAB_CACHE/tmp/ctrd" -c bin | gzip -9n >"$d/containerd-$v-linux-amd64.tar.gz"
    rm -rf "$LAB_CACHE/tmp/ctrd"
    (cd "$d" && sha256sum "containerd-$v-linux-amd64.tar.gz" >"containerd-$v-linux-amd64.tar.gz.sha256sum")
    d="$gh/opencontainers/runc/releases/download/v$RUNC_VERSION"
    mkdir -p "$d"
    install -m 0755 "$(part_dir runc)/runc" "$d/runc.amd64"
    (cd "$d" && sha256sum runc.amd64 >runc.sha256sum)
}
