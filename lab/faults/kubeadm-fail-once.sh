#!/bin/bash
# Lab fault: a kubeadm that fails the first `init` half-way (certificates and kubeconfigs written,
# as when the control plane never comes up) or the first `join` (before doing anything), then
# behaves as the real one. Installed as /usr/local/sbin/kubeadm (ahead of /usr/bin on PATH).
real=/usr/bin/kubeadm
marker=/var/lib/lab-fault/kubeadm-$1.failed
if [[ ($1 == init && $2 != phase) || $1 == join ]] && [[ ! -e $marker ]]; then
    mkdir -p /var/lib/lab-fault
    touch "$marker"
    if [[ $1 == init ]]; then
        config=""
        prev=""
        for a in "$@"; do
            [[ $prev == --config ]] && config=$a
            prev=$a
        done
        "$real" init phase certs all --config "$config" >&2
        "$real" init phase kubeconfig all --config "$config" >&2
    fi
    echo "lab fault: kubeadm $1 failed on purpose (first attempt)" >&2
    exit 1
fi
exec "$real" "$@"
