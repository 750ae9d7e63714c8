# shellcheck shell=bash
# Shared by build.sh and the part files: the cache layout, keys and Go settings.
#
# A part is lab/toolchain/parts/<name>.sh. It sets PART_DEPS (parts whose outputs it reads),
# PART_VARS (the versions.env variables it reads) and PART_INPUTS (files or folders under
# lab/toolchain hashed into its key, besides itself and lib.sh) and defines part_build, which
# writes everything into "$OUT". A part's key is the hash of those, the Go version and its
# dependencies' keys: a warm cache is reused while the key is unchanged; anything else rebuilds it.

TOOLCHAIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CACHE=${HACLUSTER_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hacluster-lab}
export PATH=/usr/local/go/bin:$PATH
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
# shellcheck source=versions.env
set -a
source "$TOOLCHAIN_DIR/versions.env"
set +a

die() { echo "lab:build: $*" >&2; exit 1; }
log() { echo "lab:build: $*" >&2; }

# The directory holding a built part (its current key), for parts that read another's output.
part_dir() {
    local link="$LAB_CACHE/current/$1"
    [[ -d $link ]] || die "part $1 is not built (expected $link)"
    readlink -f "$link"
}

# reports CMD... must print (whole output, then a substring match: grep -q would end the pipe early).
reports() {
    local want=$1 out
    shift
    out=$("$@" 2>&1) || die "$* failed: $out"
    [[ $out == *"$want"* ]] || die "$* does not report $want (it says: $out)"
}

# go build of main packages from a wrapper module (lab/toolchain/modules/<dir>) into $OUT/<subdir>.
go_build() {
    local module=$1 out=$2 ldflags=$3
    shift 3
    (cd "$TOOLCHAIN_DIR/modules/$module" && go build -trimpath -ldflags "-s -w $ldflags" -o "$out/" "$@")
}
