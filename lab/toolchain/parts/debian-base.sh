# shellcheck shell=bash
# The lab hosts' operating system: Debian (minbase) with systemd, sshd and sudo, as a server
# image ships it (unattended-upgrades included: its first-boot apt run holds the dpkg lock as on
# clouds; cloud-init installed and idle unless a NoCloud seed is given). One read-only base;
# each lab host gets a copy-on-write layer over it.
PART_VARS=(DEBIAN_SUITE)
PART_INPUTS=(host)
part_build() {
    command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
    local include=systemd,systemd-sysv,dbus,iproute2,iputils-ping,openssh-server,sudo,ca-certificates,kmod,procps,unattended-upgrades,less
    debootstrap --variant=minbase --include="$include" "$DEBIAN_SUITE" "$OUT/rootfs" http://deb.debian.org/debian
    # cloud-init through apt: debootstrap does not resolve virtual dependencies (python3-cffi-backend-api-*).
    cp /etc/resolv.conf "$OUT/rootfs/etc/resolv.conf"
    chroot "$OUT/rootfs" /bin/sh -ec 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends cloud-init </dev/null'
    # shellcheck disable=SC2016 # expands inside the chroot
    chroot "$OUT/rootfs" /bin/sh -ec 'test -z "$(dpkg --audit)"' || die "the base rootfs has half-installed packages"
    # What the lab adds to the OS image (not to what our node scripts do): see lab/toolchain/host/.
    cp -a "$TOOLCHAIN_DIR/host/." "$OUT/rootfs/"
    chroot "$OUT/rootfs" /bin/sh -ec '
        useradd --create-home --shell /bin/bash --groups sudo ops
        echo "ops ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/ops && chmod 0440 /etc/sudoers.d/ops
        rm -f /etc/ssh/ssh_host_*  # each host makes its own at first boot
        systemctl enable lab-ssh-keys.service
        apt-get clean && rm -rf /var/lib/apt/lists/*'
    : >"$OUT/rootfs/etc/resolv.conf"
    echo "$DEBIAN_SUITE" >"$OUT/suite"
}
