#!/usr/bin/env bash
# `npm run -s setup [-- --lab]`: the system tools the tests run, checked, and installed with apt
# when missing (as root; otherwise it fails naming the apt-get line to run). `npm test` calls it
# first, so a missing tool fails here in one line, never half-way through the suite.
#   default: what `npm test` and `npm run test:ha` run (real judges of rendered files, namespaces)
#   --lab:   also what `npm run lab:build`, `test:kubeadm`, `test:engine` and `test:lab` need
set -euo pipefail

# tool|Debian package|why
TEST_TOOLS=(
  "shellcheck|shellcheck|lints every rendered node script"
  "haproxy|haproxy|judges rendered haproxy.cfg (haproxy -c) and serves the failure drills"
  "keepalived|keepalived|judges rendered keepalived.conf and runs the VIP drills"
  "cloud-init|cloud-init|validates cloud user data against cloud-init's schema"
  "openssl|openssl|checks the generated certificates"
  "systemd-analyze|systemd|checks rendered units and backup calendars"
  "python3|python3|decodes Azure custom data in the cloud tests"
  "ip|iproute2|network namespaces for the HAProxy/keepalived drills"
  "curl|curl|probes through the VIP in the drills"
  "etcd|etcd-server|the external etcd drills"
  "etcdctl|etcd-client|the external etcd drills"
  "pkill|procps|stops the drills' daemons"
  "git|git|the workflow tests read the repository"
)
LAB_TOOLS=(
  "debootstrap|debootstrap|builds the lab hosts' Debian root file system"
  "systemd-nspawn|systemd-container|boots each lab host with systemd as PID 1"
  "apt-ftparchive|apt-utils|lays out the mirror's apt repositories"
  "gpg|gnupg|signs the mirror's apt repositories"
  "ssh-agent|openssh-client|the operator's SSH agent and keys in the lab"
  "/usr/sbin/sshd|openssh-server|the engine tests' SSH target"
  "pkg-config|pkg-config|runc's build finds libseccomp"
  "/usr/include/seccomp.h|libseccomp-dev|runc's build links libseccomp"
  "gcc|gcc|builds the pause binary and cgo parts"
  "xz|xz-utils|unpacks and packs release archives"
)

tools=("${TEST_TOOLS[@]}")
[[ ${1:-} == --lab ]] && tools+=("${LAB_TOOLS[@]}")

missing=() why=()
for t in "${tools[@]}"; do
  IFS='|' read -r tool pkg reason <<<"$t"
  if [[ $tool == /* ]]; then [[ -e $tool ]] && continue; else command -v "$tool" >/dev/null 2>&1 && continue; fi
  missing+=("$pkg")
  why+=("$pkg ($reason)")
done
if [[ ${1:-} == --lab && ! -x /usr/local/go/bin/go ]] && ! command -v go >/dev/null 2>&1; then
  echo "setup: Go is missing: the lab's toolchain builds Kubernetes, etcd and containerd from source with Go (expected at /usr/local/go)" >&2
  exit 1
fi
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) != 0 ]]; then
  echo "setup: missing system tools: ${why[*]}. Run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "setup: installing ${why[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts these daemons on install; the tests run their own copies.
for svc in haproxy keepalived etcd; do
  systemctl disable --now "$svc" >/dev/null 2>&1 || service "$svc" stop >/dev/null 2>&1 || true
done
pkill -x haproxy || true
pkill -x keepalived || true
pkill -x etcd || true
