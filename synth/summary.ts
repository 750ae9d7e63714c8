/** The short human summary a synth prints (under ~40 lines): resources by type, nodes by role and zone, failure tolerance. */
import * as path from "node:path";
import { isObj, type Plan } from "./plan";

interface NodeEntry {
    name?: unknown;
    role?: unknown;
    zone?: unknown;
    count?: unknown;
}

const ROLE_ORDER = ["lb", "etcd", "control-plane", "worker"];

function nodeTable(nodes: unknown): string[] {
    if (!Array.isArray(nodes) || nodes.length === 0) return ["Nodes: none reported (no `nodes` output)"];
    const counts = new Map<string, Map<string, number>>();
    const zones = new Set<string>();
    let total = 0;
    // A scaling-group pool is one entry spanning zones: listed on its own line below the table.
    const pools: string[] = [];
    for (const n of nodes as NodeEntry[]) {
        if (!isObj(n)) continue;
        if (typeof n.count === "number") {
            total += n.count;
            pools.push(`  ${typeof n.role === "string" ? n.role : "?"} pool ${String(n.name)}: ${n.count} over ${String(n.zone ?? "-").split(",").join(", ")} (one scaling group)`);
            continue;
        }
        const role = typeof n.role === "string" ? n.role : "?";
        const zone = typeof n.zone === "string" ? n.zone : "-";
        const c = typeof n.count === "number" ? n.count : 1;
        zones.add(zone);
        total += c;
        const byZone = counts.get(role) ?? new Map<string, number>();
        byZone.set(zone, (byZone.get(zone) ?? 0) + c);
        counts.set(role, byZone);
    }
    const roles = [...counts.keys()].sort((a, b) => {
        const ia = ROLE_ORDER.indexOf(a);
        const ib = ROLE_ORDER.indexOf(b);
        return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
    });
    const zoneList = [...zones].sort();
    const lines = [`Nodes by role and zone (${total}):`];
    if (zoneList.length <= 6) {
        const header = ["role", ...zoneList, "total"];
        const rows = roles.map((role) => {
            const byZone = counts.get(role)!;
            const sum = [...byZone.values()].reduce((a, b) => a + b, 0);
            return [role, ...zoneList.map((z) => String(byZone.get(z) ?? "-")), String(sum)];
        });
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
        const fmt = (r: string[]) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")}`;
        lines.push(fmt(header), ...rows.map(fmt));
    } else {
        for (const role of roles) {
            const byZone = counts.get(role)!;
            const sum = [...byZone.values()].reduce((a, b) => a + b, 0);
            const parts = [...byZone.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([z, c]) => `${z} ${c}`);
            const shown = parts.length > 8 ? [...parts.slice(0, 8), `… ${parts.length - 8} more zones`] : parts;
            lines.push(`  ${role}: ${sum} (${shown.join(", ")})`);
        }
    }
    lines.push(...pools.slice(0, 6));
    if (pools.length > 6) lines.push(`  … ${pools.length - 6} more pools in plan.json`);
    return lines;
}

function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

function toleranceLines(ft: unknown): string[] {
    if (!isObj(ft)) return ["Failure tolerance: not reported (no `failureTolerance` output)"];
    const num = (k: string) => (typeof ft[k] === "number" ? (ft[k] as number) : undefined);
    const parts: string[] = [];
    const zones = num("zones");
    const etcd = num("etcdMembers");
    const lb = num("lbHosts");
    const api = num("apiServers");
    if (zones !== undefined) parts.push(plural(zones, "zone"));
    if (etcd !== undefined) parts.push(plural(etcd, "etcd member"));
    if (lb !== undefined) parts.push(plural(lb, "LB host"));
    if (api !== undefined) parts.push(plural(api, "API server"));
    const lines = [`Failure tolerance (may be lost): ${parts.length > 0 ? parts.join(", ") : "not reported"}`];
    const notes = Array.isArray(ft.notes) ? ft.notes.filter((n): n is string => typeof n === "string") : [];
    for (const n of notes.slice(0, 4)) lines.push(`  - ${n}`);
    if (notes.length > 4) lines.push(`  - … ${notes.length - 4} more notes in plan.json`);
    return lines;
}

/** The short human summary (under ~40 lines). */
export function summarize(plan: Plan, nodes: Map<string, Record<string, string>>, outDir: string): string {
    const byType = new Map<string, number>();
    for (const r of plan.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    const types = [...byType.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    const width = Math.max(1, ...types.map(([, c]) => String(c).length));
    const lines = [`${plan.project}/${plan.stack}: ${plural(plan.resources.length, "resource")}, node files for ${plural(nodes.size, "node")}`];
    lines.push("Resources by type:");
    const shown = types.length > 14 ? types.slice(0, 13) : types;
    for (const [t, c] of shown) lines.push(`  ${String(c).padStart(width)}  ${t}`);
    if (shown.length < types.length) {
        const rest = types.slice(shown.length);
        lines.push(`  ${String(rest.reduce((a, [, c]) => a + c, 0)).padStart(width)}  (${rest.length} more types)`);
    }
    lines.push(...nodeTable(plan.outputs.nodes));
    lines.push(...toleranceLines(plan.outputs.failureTolerance));
    if (typeof plan.outputs.endpoint === "string") lines.push(`Endpoint: ${plan.outputs.endpoint}`);
    const relative = path.relative(process.cwd(), outDir);
    const rel = relative === "" ? "." : relative.startsWith("..") ? outDir : relative;
    lines.push(`Wrote ${path.join(rel, "plan.json")} and ${path.join(rel, "nodes")}/ (${plural(nodes.size, "node")})`);
    return `${lines.join("\n")}\n`;
}
