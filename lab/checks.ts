/**
 * What the lab asserts about a cluster, and how it tells whether a run touched a host.
 */
import type { LabRun, PhaseTiming } from "./cluster";
import { sleep, type Machine } from "./machines";

export interface NodeResult {
    readonly name: string;
    readonly role: string;
    readonly ready: boolean;
    readonly kubeletVersion: string;
}

/** out/lab/result.json (DESIGN.md, contract), one per stack. */
export interface LabResult {
    stack: string;
    engine: string;
    nodes: NodeResult[];
    etcdMembers: number;
    secondRunChanged: string[];
    timeToReadySeconds: number;
    failures: string[];
    phases: PhaseTiming[];
    log?: string[];
    [drill: string]: unknown;
}

interface K8sNode {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { taints?: { key: string; effect: string }[] };
    status: { conditions?: { type: string; status: string }[]; nodeInfo: { kubeletVersion: string } };
}

interface K8sPod {
    metadata: { name: string };
    status: { phase: string; conditions?: { type: string; status: string }[] };
}

/** Nodes Ready, control planes tainted and labelled, kube-system Running, etcd members healthy. */
export async function clusterChecks(
    run: LabRun,
    hosts: { role: string; host: { name: string } }[],
    waitMs = 900_000,
): Promise<{ nodes: NodeResult[]; etcdMembers: number; failures: string[] }> {
    const kube = hosts.filter((h) => h.role === "control-plane" || h.role === "worker");
    let nodes: K8sNode[] = [];
    let pods: K8sPod[] = [];
    const deadline = Date.now() + waitMs;
    let lastError = "";
    // Nodes turn Ready once the CNI runs; kube-system settles after: wait, bounded.
    for (;;) {
        const n = await run.kubectl(["get", "nodes", "-o", "json"]);
        const p = await run.kubectl(["-n", "kube-system", "get", "pods", "-o", "json"]);
        if (n.code === 0 && p.code === 0) {
            nodes = (JSON.parse(n.stdout) as { items: K8sNode[] }).items;
            pods = (JSON.parse(p.stdout) as { items: K8sPod[] }).items;
            const ready = kube.every((h) => nodes.some((x) => x.metadata.name === h.host.name && isReady(x)));
            const running = pods.length > 0 && pods.every((x) => x.status.phase === "Running" && x.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
            if (ready && running) break;
        } else {
            lastError = `${n.stderr}${p.stderr}`.trim();
        }
        if (Date.now() > deadline) break;
        await sleep(5_000);
    }
    const failures: string[] = [];
    const results: NodeResult[] = kube.map((h) => {
        const n = nodes.find((x) => x.metadata.name === h.host.name);
        return { name: h.host.name, role: h.role, ready: n ? isReady(n) : false, kubeletVersion: n?.status.nodeInfo.kubeletVersion ?? "" };
    });
    if (nodes.length === 0) failures.push(`kubectl through the VIP with the stack's kubeconfig never listed nodes: ${lastError}`);
    for (const r of results.filter((x) => !x.ready)) failures.push(`node ${r.name} is not Ready`);
    for (const h of kube.filter((x) => x.role === "control-plane")) {
        const n = nodes.find((x) => x.metadata.name === h.host.name);
        if (!n) continue;
        if (!("node-role.kubernetes.io/control-plane" in (n.metadata.labels ?? {}))) failures.push(`${h.host.name} lacks the control-plane label`);
        if (!(n.spec.taints ?? []).some((t) => t.key === "node-role.kubernetes.io/control-plane" && t.effect === "NoSchedule")) failures.push(`${h.host.name} lacks the control-plane NoSchedule taint`);
    }
    for (const p of pods.filter((x) => x.status.phase !== "Running" || !x.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))) {
        failures.push(`kube-system pod ${p.metadata.name} is ${p.status.phase}${p.status.phase === "Running" ? " but not Ready" : ""}`);
    }
    const etcd = await etcdMembers(run, hosts);
    failures.push(...etcd.failures);
    return { nodes: results, etcdMembers: etcd.healthy, failures };
}

function isReady(n: K8sNode): boolean {
    return n.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** Members and their health, asked of etcd itself (etcdctl on a member's host). */
async function etcdMembers(run: LabRun, hosts: { role: string; host: { name: string } }[]): Promise<{ healthy: number; failures: string[] }> {
    const external = hosts.filter((h) => h.role === "etcd");
    const on = external.length > 0 ? external : hosts.filter((h) => h.role === "control-plane");
    const tls = external.length > 0
        ? "--cacert=/etc/etcd/pki/ca.crt --cert=/etc/etcd/pki/peer.crt --key=/etc/etcd/pki/peer.key"
        : "--cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key";
    for (const h of on) {
        const m = run.lab.machines.get(h.host.name);
        if (!m?.pid1) continue;
        const r = await m.exec(`ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 ${tls} endpoint health --cluster -w json`, 60_000);
        if (r.code !== 0 && !r.stdout.trim()) continue;
        try {
            const list = JSON.parse(r.stdout) as { endpoint: string; health: boolean }[];
            const failures = list.filter((x) => !x.health).map((x) => `etcd member ${x.endpoint} is unhealthy`);
            if (list.length !== on.length) failures.push(`etcd has ${list.length} members, expected ${on.length}`);
            return { healthy: list.filter((x) => x.health).length, failures };
        } catch {
            return { healthy: 0, failures: [`etcdctl on ${h.host.name}: ${r.stdout}${r.stderr}`] };
        }
    }
    return { healthy: 0, failures: ["no etcd member answered etcdctl"] };
}

const WATCHED_DIRS = [
    "/etc/kubernetes",
    "/etc/containerd",
    "/etc/haproxy",
    "/etc/keepalived",
    "/etc/etcd",
    "/etc/apt",
    "/etc/systemd/system",
    "/etc/sysctl.d",
    "/etc/modules-load.d",
    "/etc/hacluster",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/opt/cni/bin",
    "/var/lib/hacluster",
];
const WATCHED_FILES = ["/etc/hosts", "/etc/fstab"];
const SERVICES = ["containerd", "kubelet", "haproxy", "keepalived", "etcd"];

/**
 * What a run could touch on a host: installed packages and versions, the content of every file
 * under the directories our scripts write, and each service's process and start time.
 */
export async function hostFingerprint(m: Machine): Promise<Record<string, string>> {
    const script = `
echo "host=$(hostname)"
echo "packages=$(dpkg-query -W -f='\${Package}=\${Version} \${Status}\\n' | sort | sha256sum | cut -c1-16)"
for d in ${WATCHED_DIRS.join(" ")}; do
  [ -d "$d" ] || continue
  find "$d" -xdev -type f -print0 2>/dev/null | sort -z | while IFS= read -r -d '' f; do echo "file:$f=$(sha256sum <"$f" | cut -c1-16) $(stat -c %a "$f")"; done
done
for f in ${WATCHED_FILES.join(" ")}; do [ -f "$f" ] && echo "file:$f=$(sha256sum <"$f" | cut -c1-16)"; done
for s in ${SERVICES.join(" ")}; do
  if systemctl cat "$s" >/dev/null 2>&1; then echo "service:$s=$(systemctl show -p MainPID --value "$s") $(systemctl show -p ExecMainStartTimestampMonotonic --value "$s") $(systemctl show -p NRestarts --value "$s")"; fi
done
`;
    const r = await m.exec(script, 120_000);
    const out: Record<string, string> = {};
    for (const line of r.stdout.split("\n")) {
        const i = line.indexOf("=");
        if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
    }
    return out;
}
