# shellcheck shell=bash
# Every image `kubeadm config images list` names for each release, plus flannel's, assembled from
# the built binaries with crane (go-containerregistry) — no Docker — and stored as one OCI image
# layout (blobs shared) with a tag list. Names follow a mirror's root, as kubeadm asks for them
# with a custom imageRepository: <repo>/kube-apiserver:v1.37.2, <repo>/coredns:v1.14.6,
# <repo>/etcd:3.7.0-0, <repo>/pause:3.10.2; flannel's under flannel-io/.
PART_VARS=(K8S_RELEASES COREDNS_VERSIONS PAUSE_VERSION FLANNEL_VERSION)
PART_DEPS=(kubernetes-1.36 kubernetes-1.37 etcd-3.6 etcd-3.7 coredns pause flannel crane image-base)
PART_INPUTS=()
part_build() {
    local crane port reg stage="$LAB_CACHE/tmp/images-stage"
    crane=$(part_dir crane)/bin/crane
    rm -rf "$stage" && mkdir -p "$stage"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$crane" registry serve --address "127.0.0.1:$port" >"$stage/registry.log" 2>&1 &
    local regpid=$!
    trap 'kill $regpid 2>/dev/null || true' RETURN
    reg=127.0.0.1:$port
    local i
    for i in $(seq 1 50); do curl -fsS "http://$reg/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fsS "http://$reg/v2/" >/dev/null || die "crane registry did not start: $(cat "$stage/registry.log")"

    layer() { # name files... (pairs src:dest) -> prints the layer path
        local name=$1 dir="$stage/$1"
        shift
        local pair
        for pair in "$@"; do install -D -m 0755 "${pair%%:*}" "$dir/${pair#*:}"; done
        tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$dir" -cf "$stage/$name.tar" .
        echo "$stage/$name.tar"
    }
    image() { # ref entrypoint layers...
        local ref=$1 entry=$2
        shift 2
        local args=() l
        for l in "$@"; do args+=(-f "$l"); done
        "$crane" append --insecure --oci-empty-base "${args[@]}" -t "$reg/$ref" >/dev/null
        "$crane" mutate --insecure "$reg/$ref" --set-platform linux/amd64 --entrypoint "$entry" \
            --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin -t "$reg/$ref" >/dev/null
        echo "$ref" >>"$stage/refs"
    }
    local base
    base=$(part_dir image-base)/layer.tar
    local v minor bin c
    for v in $K8S_RELEASES; do
        minor=${v%.*}
        bin=$(part_dir "kubernetes-$minor")/bin
        for c in kube-apiserver kube-controller-manager kube-scheduler; do
            image "$c:v$v" "/usr/local/bin/$c" "$(layer "$c-$v" "$bin/$c:usr/local/bin/$c")"
        done
        image "kube-proxy:v$v" /usr/local/bin/kube-proxy "$base" "$(layer "kube-proxy-$v" "$bin/kube-proxy:usr/local/bin/kube-proxy")"
    done
    local s e
    for s in 3.6 3.7; do
        e=$(part_dir "etcd-$s")
        v=$(cat "$e/version")
        image "etcd:$v-0" /usr/local/bin/etcd "$(layer "etcd-$v" "$e/bin/etcd:usr/local/bin/etcd" "$e/bin/etcdctl:usr/local/bin/etcdctl" "$e/bin/etcdutl:usr/local/bin/etcdutl")"
    done
    for v in $COREDNS_VERSIONS; do
        image "coredns:v$v" /coredns "$(layer "coredns-$v" "$(part_dir coredns)/$v/coredns:coredns")"
    done
    image "pause:$PAUSE_VERSION" /pause "$(layer pause "$(part_dir pause)/pause:pause")"
    local fl
    fl=$(part_dir flannel)
    image "flannel-io/flannel:v$FLANNEL_VERSION" /opt/bin/flanneld "$base" \
        "$(layer flannel "$fl/bin/flanneld:opt/bin/flanneld" "$fl/bin/install-conf:opt/bin/install-conf")"
    image "flannel-io/flannel-cni-plugin:v$FLANNEL_VERSION" /flannel "$base" "$(layer flannel-cni "$fl/cni/flannel:flannel")"

    # One OCI layout for all of them, and the tag list the mirror serves.
    local ref
    echo '{' >"$OUT/tags.json"
    local first=1
    while read -r ref; do
        "$crane" pull --insecure --format=oci "$reg/$ref" "$OUT/oci" >/dev/null
        local digest
        digest=$("$crane" digest --insecure "$reg/$ref")
        ((first)) || echo ',' >>"$OUT/tags.json"
        first=0
        printf '  "%s": "%s"' "$ref" "$digest" >>"$OUT/tags.json"
    done <"$stage/refs"
    printf '\n}\n' >>"$OUT/tags.json"
    rm -rf "$stage"
}
