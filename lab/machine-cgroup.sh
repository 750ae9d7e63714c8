#!/usr/bin/env bash
# machine-cgroup.sh NAME COMMAND...: moves this shell into NAME (e.g. hacluster-lab/<run>/<host>)
# below its current cgroup in every cgroup v1 hierarchy, then execs COMMAND. The lab host's
# systemd, kubelet and containers then live in a subtree of their own; nothing is remounted.
set -euo pipefail
name=$1
shift
while IFS=: read -r _ ctrl cur; do
    [[ -z $ctrl ]] && continue                      # the (empty) unified hierarchy
    dir=${ctrl#name=}
    dir=${dir%%,*}
    base=/sys/fs/cgroup/$dir${cur%/}
    [[ -d $base ]] || continue
    target=$base/$name
    if [[ $dir == cpuset ]]; then
        # cpuset children start empty: give each new level its parent's cpus and mems.
        parent=$base
        IFS=/ read -ra parts <<<"$name"
        for part in "${parts[@]}"; do
            mkdir -p "$parent/$part"
            cat "$parent/cpuset.cpus" >"$parent/$part/cpuset.cpus"
            cat "$parent/cpuset.mems" >"$parent/$part/cpuset.mems"
            parent=$parent/$part
        done
    else
        mkdir -p "$target"
    fi
    echo $$ >"$target/cgroup.procs"
done </proc/self/cgroup
exec "$@"
