#!/bin/sh
# Lab host init (PID 1 until it execs systemd), written into each host's own layer by
# lab/machines.ts, which says why each step exists.
# 1. systemd-nspawn without user namespaces mounts the cgroup v1 controllers read-only; the kubelet
#    and containerd need them writable inside this host's own cgroup subtree. Only this mount
#    namespace's view is changed (bind,rw): the machine's cgroup hierarchy is never remounted.
for c in /sys/fs/cgroup/*; do
    case "$c" in */unified | */systemd) continue ;; esac
    if mountpoint -q "$c"; then mount -o remount,bind,rw "$c"; fi
done
# 2. /proc/sys/net is this host's own network namespace's (a real host may write it): writable.
mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net
# 3. Global kernel settings the kubelet sets at start unless already so (vm.overcommit_memory,
#    kernel.panic, kernel.panic_on_oops) are shown to it as already set: the lab never changes
#    the machine's kernel settings.
if [ -d /.lab/sysctl ]; then
    for f in /.lab/sysctl/*; do
        [ -f "$f" ] || continue
        key=$(basename "$f" | tr . /)
        mount --bind "$f" "/proc/sys/$key"
    done
fi
# 4. The kubelet's OOM watcher opens /dev/kmsg, which nspawn does not give a container (as kind,
#    the console stands in).
[ -e /dev/kmsg ] || ln -s /dev/console /dev/kmsg
exec /lib/systemd/systemd "$@"
