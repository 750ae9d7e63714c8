#!/usr/bin/env bash
# The lab's toolchain: Kubernetes (two releases), etcd, containerd, runc, CNI plugins, crictl,
# pause, CoreDNS and flannel built from source through the Go module proxy; a Debian rootfs for
# the lab hosts; and the mirror's content (signed apt repositories, OCI images, release archives).
#
#   lab/toolchain/build.sh [PART ...]     (npm run -s lab:build)
#
# Everything goes to a cache outside the repository ($HACLUSTER_LAB_CACHE, default
# ~/.cache/hacluster-lab), reused while a part's inputs are unchanged. Prints how long each part
# took and whether it was warm; the last line is the cache's `current` directory, whose
# manifest.json names every file the lab and the tests use.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# In build order: a part comes after the parts it reads.
ALL_PARTS=(
    kubernetes-1.36 kubernetes-1.37 etcd-3.6 etcd-3.7 coredns containerd runc cni-plugins cri-tools
    pause flannel crane debian-base image-base debian-mirror debs archives images manifest engine
)

command -v go >/dev/null || die "Go is missing: it is expected at /usr/local/go (the machine's Go 1.26)"
mkdir -p "$LAB_CACHE/parts" "$LAB_CACHE/current" "$LAB_CACHE/tmp"
go_version=$(go version)

declare -A KEY
key_of() {
    local name=$1 file="$TOOLCHAIN_DIR/parts/$1.sh"
    [[ -f $file ]] || die "unknown part $name (no $file)"
    local PART_DEPS=() PART_INPUTS=() PART_VARS=()
    # shellcheck source=/dev/null
    source "$file"
    {
        echo "$go_version"
        cat "$TOOLCHAIN_DIR/lib.sh" "$file"
        local d i v
        # Only the versions a part reads are in its key: a new etcd does not rebuild Kubernetes.
        for v in "${PART_VARS[@]}"; do echo "$v=${!v:?part $name reads $v, which versions.env does not set}"; done
        for d in "${PART_DEPS[@]}"; do echo "dep $d ${KEY[$d]:?part $name needs $d, which comes later in ALL_PARTS}"; done
        for i in "${PART_INPUTS[@]}"; do
            (cd "$TOOLCHAIN_DIR" && find "$i" -type f -print0 | sort -z | xargs -0 sha256sum)
        done
    } | sha256sum | cut -c1-16
}

run_part() {
    local name=$1 key=${KEY[$1]}
    local dest="$LAB_CACHE/parts/$name-$key" start=$SECONDS
    if [[ -f $dest/.done ]]; then
        ln -sfn "$dest" "$LAB_CACHE/current/$name"
        printf 'lab:build: %-16s warm  %5ds  %s\n' "$name" 0 "$dest" >&2
        return
    fi
    local OUT="$LAB_CACHE/tmp/$name-$key"
    rm -rf "$OUT" && mkdir -p "$OUT"
    local PART_DEPS=() PART_INPUTS=() PART_VARS=()
    # shellcheck source=/dev/null
    source "$TOOLCHAIN_DIR/parts/$name.sh"
    # Not inside `if`: bash ignores errexit in a tested command, and a part must stop at its first error.
    local rc
    set +e
    (set -euo pipefail; cd "$OUT"; part_build) >"$LAB_CACHE/tmp/$name.log" 2>&1
    rc=$?
    set -e
    if ((rc != 0)); then
        tail -n 40 "$LAB_CACHE/tmp/$name.log" >&2
        die "part $name failed, exit $rc (whole log: $LAB_CACHE/tmp/$name.log)"
    fi
    cp "$LAB_CACHE/tmp/$name.log" "$OUT/build.log"
    echo "$((SECONDS - start))" >"$OUT/.seconds"
    touch "$OUT/.done"
    rm -rf "$dest" && mv "$OUT" "$dest"
    ln -sfn "$dest" "$LAB_CACHE/current/$name"
    # Older builds of this part are dropped: the cache holds one build per part.
    find "$LAB_CACHE/parts" -maxdepth 1 -name "$name-*" ! -name "$name-$key" -exec rm -rf {} +
    printf 'lab:build: %-16s cold  %5ds  %s\n' "$name" "$((SECONDS - start))" "$dest" >&2
}

want=("$@")
((${#want[@]})) || want=("${ALL_PARTS[@]}")
total=$SECONDS
# Keys of the parts asked for and of the parts they read, in build order (a part's key needs its
# dependencies' keys, so they come first).
declare -A NEEDED
need() {
    local name=$1 file="$TOOLCHAIN_DIR/parts/$1.sh" d
    [[ -n ${NEEDED[$name]:-} ]] && return
    NEEDED[$name]=1
    [[ -f $file ]] || die "unknown part $name (no $file)"
    local PART_DEPS=()
    # shellcheck source=/dev/null
    source "$file"
    for d in "${PART_DEPS[@]}"; do need "$d"; done
}
for w in "${want[@]}"; do need "$w"; done
for p in "${ALL_PARTS[@]}"; do if [[ -n ${NEEDED[$p]:-} ]]; then KEY[$p]=$(key_of "$p"); fi; done
for p in "${ALL_PARTS[@]}"; do
    for w in "${want[@]}"; do
        if [[ $w == "$p" ]]; then run_part "$p"; fi
    done
done
log "done in $((SECONDS - total))s"
echo "$LAB_CACHE/current"
