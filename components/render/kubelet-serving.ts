/**
 * Kubelet serving certificates signed by the cluster CA (CIS 4.2.10), without a third-party
 * controller. Kubelets ask for them (`serverTLSBootstrap: true`); nobody approves such CSRs by
 * default (kube-controller-manager approves only client certificates), so every control plane
 * runs a small approver on a timer. It approves a CSR only when all of these hold, and leaves it
 * pending (with the reason in the journal) otherwise:
 *
 * - signer `kubernetes.io/kubelet-serving`, not yet approved or denied;
 * - requested by `system:node:<name>` (the kubelet's own credentials), with subject exactly
 *   `CN=system:node:<name>,O=system:nodes` and a valid self-signature;
 * - usages only `digital signature`, `key encipherment`, `server auth` (and `server auth` present);
 * - every SAN is a DNS name or IPv4 address that the Node `<name>` reports in `.status.addresses`
 *   (or the name itself), and every IP lies in one of the cluster's node networks: a node cannot
 *   obtain a certificate for another node's name or an address outside the cluster.
 *
 * The API server then verifies kubelets with the cluster CA (`--kubelet-certificate-authority`,
 * CIS 1.2.5), so `kubectl logs`/`exec` to a node work once its CSR is approved (within one timer
 * period, 30 s, of the kubelet starting).
 */
import { CSR_APPROVER_BIN } from "./paths";
import type { NodeFile } from "./script";

const CSR_APPROVER_UNIT = "hacluster-approve-kubelet-serving";

export interface CsrApproverInput {
    /** IPv4 CIDRs node addresses must fall in (the cluster's node networks); empty: no range check. */
    readonly nodeCidrs: readonly string[];
    /** Seconds between runs. @default 30 */
    readonly intervalSec?: number;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function checkCidr(c: string): void {
    const m = IPV4_CIDR.exec(c);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
        throw new Error(`kubelet-serving approver: ${JSON.stringify(c)} is not an IPv4 CIDR`);
    }
}

/** The approver script (run as root on a control plane with /etc/kubernetes/admin.conf). */
export function renderCsrApproverScript(input: CsrApproverInput): string {
    input.nodeCidrs.forEach(checkCidr);
    return `#!/usr/bin/env bash
# hacluster: approve kubelet serving-certificate CSRs a node asks for itself, for its own name and
# addresses only (see components/render/kubelet-serving.ts). Anything else stays pending.
set -euo pipefail
export KUBECONFIG=\${KUBECONFIG:-/etc/kubernetes/admin.conf}
node_cidrs=(${input.nodeCidrs.join(" ")})

ip_to_int() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

in_node_cidrs() {
  local ip=$1 cidr net bits mask
  ((\${#node_cidrs[@]} == 0)) && return 0
  for cidr in "\${node_cidrs[@]}"; do
    net=\${cidr%/*}
    bits=\${cidr#*/}
    mask=$(((0xffffffff << (32 - bits)) & 0xffffffff))
    if ((($(ip_to_int "$ip") & mask) == ($(ip_to_int "$net") & mask))); then return 0; fi
  done
  return 1
}

# Prints why a CSR must not be approved; prints nothing when it may.
problem() {
  local user=$1 usages=$2 request=$3 node pem verified subject sans san u addr
  local -a allowed list
  if [[ $user != system:node:* ]]; then echo "requested by $user, not by a node"; return; fi
  node=\${user#system:node:}
  if ! [[ $node =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]]; then echo "node name $node is not a DNS-1123 name"; return; fi
  u=\${usages//[\\[\\]\\"]/}
  IFS=, read -ra list <<<"$u"
  [[ " \${list[*]} " == *" server auth "* ]] || { echo "usages $usages lack server auth"; return; }
  for u in "\${list[@]}"; do
    case $u in "digital signature" | "key encipherment" | "server auth") ;; *) echo "usage $u is not for serving"; return ;; esac
  done
  pem=$(printf '%s' "$request" | base64 -d 2>/dev/null) || { echo "request is not base64"; return; }
  # OpenSSL 3.0 exits 0 even when the signature does not verify: judge by what it prints.
  verified=$(openssl req -noout -verify <<<"$pem" 2>&1) || true
  [[ $verified == *"verify OK"* ]] || { echo "request signature does not verify"; return; }
  subject=$(openssl req -noout -subject -nameopt RFC2253 <<<"$pem")
  [[ $subject == "subject=CN=$user,O=system:nodes" ]] || { echo "$subject is not CN=$user,O=system:nodes"; return; }
  sans=$(openssl req -noout -text <<<"$pem" | sed -n '/X509v3 Subject Alternative Name/{n;p;q;}' | tr -d ' ')
  [[ -n $sans ]] || { echo "no subject alternative names"; return; }
  allowed=("$node")
  while IFS= read -r addr; do [[ -n $addr ]] && allowed+=("$addr"); done < <(kubectl get node "$node" -o jsonpath='{range .status.addresses[*]}{.address}{"\\n"}{end}' </dev/null 2>/dev/null)
  IFS=, read -ra list <<<"$sans"
  for san in "\${list[@]}"; do
    case $san in
      DNS:*) [[ " \${allowed[*]} " == *" \${san#DNS:} "* ]] || { echo "DNS name \${san#DNS:} is not an address of node $node"; return; } ;;
      IPAddress:*)
        addr=\${san#IPAddress:}
        [[ $addr =~ ^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$ ]] || { echo "address $addr is not IPv4"; return; }
        [[ " \${allowed[*]} " == *" $addr "* ]] || { echo "address $addr is not an address of node $node"; return; }
        in_node_cidrs "$addr" || { echo "address $addr is outside the node networks \${node_cidrs[*]}"; return; }
        ;;
      *) echo "SAN $san is neither a DNS name nor an IP address"; return ;;
    esac
  done
}

approved=0 pending=0
while IFS='|' read -r name signer user usages conditions request; do
  [[ -n $name && $signer == kubernetes.io/kubelet-serving && -z $conditions ]] || continue
  why=$(problem "$user" "$usages" "$request") || why="\${why:-the checks failed}"
  if [[ -z $why ]]; then
    if kubectl certificate approve "$name" </dev/null >/dev/null; then
      echo "hacluster: approved $name for $user"
      approved=$((approved + 1))
    else
      echo "hacluster: could not approve $name (another control plane may have)" >&2
    fi
  else
    echo "hacluster: left $name pending: $why" >&2
    pending=$((pending + 1))
  fi
done < <(kubectl get csr -o jsonpath='{range .items[*]}{.metadata.name}{"|"}{.spec.signerName}{"|"}{.spec.username}{"|"}{.spec.usages}{"|"}{.status.conditions[*].type}{"|"}{.spec.request}{"\\n"}{end}')
echo "hacluster: kubelet serving CSRs approved $approved, left pending $pending"
`;
}

/** The script, a oneshot service and its timer (30 s), for every control plane. */
export function csrApproverFiles(input: CsrApproverInput): NodeFile[] {
    const every = input.intervalSec ?? 30;
    if (!Number.isInteger(every) || every < 5) throw new Error(`kubelet-serving approver: intervalSec must be a whole number >= 5 (got ${every})`);
    return [
        { path: CSR_APPROVER_BIN, content: renderCsrApproverScript(input), mode: "0755" },
        {
            path: `/etc/systemd/system/${CSR_APPROVER_UNIT}.service`,
            content: `[Unit]
Description=hacluster: approve kubelet serving certificates of the cluster's nodes
After=kubelet.service
ConditionPathExists=/etc/kubernetes/admin.conf

[Service]
Type=oneshot
ExecStart=${CSR_APPROVER_BIN}
`,
        },
        {
            path: `/etc/systemd/system/${CSR_APPROVER_UNIT}.timer`,
            content: `[Unit]
Description=hacluster: approve kubelet serving certificates every ${every} s

[Timer]
OnBootSec=1min
OnUnitActiveSec=${every}s
AccuracySec=5s

[Install]
WantedBy=timers.target
`,
        },
    ];
}

/** Enables the timer and runs the approver once (the first control plane's own CSR). */
export const ENABLE_CSR_APPROVER = `systemctl daemon-reload
systemctl enable --now ${CSR_APPROVER_UNIT}.timer
${CSR_APPROVER_BIN} || true
`;
