# shellcheck shell=bash
# The base layer of the lab images that need more than one static binary (kube-proxy, flannel):
# Debian minbase with iptables, nftables, conntrack and ipset, as one reproducible layer tarball.
PART_VARS=(DEBIAN_SUITE)
PART_INPUTS=()
part_build() {
    debootstrap --variant=minbase --include=iptables,nftables,conntrack,ipset,iproute2,ca-certificates "$DEBIAN_SUITE" "$OUT/rootfs" http://deb.debian.org/debian
    chroot "$OUT/rootfs" /bin/sh -ec 'apt-get clean; rm -rf /var/lib/apt/lists/* /var/log/* /var/cache/debconf/*-old'
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --exclude="./dev/*" --exclude="./proc/*" --exclude="./sys/*" \
        -C "$OUT/rootfs" -cf "$OUT/layer.tar" .
    rm -rf "$OUT/rootfs"
}
