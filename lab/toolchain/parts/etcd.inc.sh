# shellcheck shell=bash
# etcd server, etcdctl and etcdutl of one release (modules/etcd-3.N), plus the release archive
# laid out as upstream's (etcd-vX-linux-amd64/{etcd,etcdctl,etcdutl}) for the mirror.
etcd_build() {
    local version=$1 series=${1%.*}
    go_build "etcd-$series" "$OUT/bin" "" go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3 go.etcd.io/etcd/etcdutl/v3
    mv "$OUT/bin/server" "$OUT/bin/etcd"
    reports "etcd Version: $version" "$OUT/bin/etcd" --version
    echo "$version" >"$OUT/version"
}
