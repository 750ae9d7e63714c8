# shellcheck shell=bash
# The site's Debian mirror, as an air-gapped site has one: the packages our node scripts install
# (and their dependencies) on top of the lab hosts' base, in a signed flat repository. The hosts'
# sources.list points at it (lab/host setup); a node script that needs a package not listed here
# fails its apt-get in the lab, which is how this list stays honest.
PART_VARS=(DEBIAN_SUITE)
PART_DEPS=(debian-base)
PART_INPUTS=(parts/apt.inc.sh)
LAB_DEBIAN_PACKAGES="apt-transport-https ca-certificates curl gpg haproxy keepalived iptables nftables conntrack socat ethtool ebtables"
part_build() {
    # shellcheck source=apt.inc.sh
    source "$TOOLCHAIN_DIR/parts/apt.inc.sh"
    local root="$LAB_CACHE/tmp/debian-mirror-root"
    rm -rf "$root" && cp -a "$(part_dir debian-base)/rootfs" "$root"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # shellcheck disable=SC2086
    chroot "$root" /bin/sh -ec "apt-get update -q && apt-get install -y -q --download-only --no-install-recommends $LAB_DEBIAN_PACKAGES"
    mkdir -p "$OUT/debian"
    cp "$root"/var/cache/apt/archives/*.deb "$OUT/debian/"
    rm -rf "$root"
    apt_key_make "$OUT/gnupg" "hacluster lab Debian mirror"
    apt_repo_sign "$OUT/gnupg" "$OUT/debian" "hacluster-lab-debian"
    rm -rf "$OUT/gnupg"
    find "$OUT/debian" -name "*.deb" | wc -l >"$OUT/count"
}
