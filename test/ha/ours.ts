/**
 * "Ours": the LB host files exactly as the synth renders them for the dev stack, plus the
 * root-only VRRP password include (delivered separately in production) rendered by renderVrrpAuth.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderVrrpAuth } from "../../components/render/keepalived";
import type { ApiTopology, Flavor, HostFiles } from "./apilab";
import { certSans, readNodeFile, synth } from "./synth";

const VRRP_PASSWORD = "Ha-dr1ll";

/** Where keepalived.conf says the include and the check script are. */
function keepalivedPaths(conf: string): { include: string | undefined; script: string } {
    const include = /^\s*includea?\s+(\S+)/m.exec(conf)?.[1];
    const script = /^\s*script\s+"?([^"\s]+)"?/m.exec(conf)?.[1];
    if (!script) throw new Error("keepalived.conf names no vrrp_script script");
    return { include, script };
}

export interface Ours {
    readonly flavor: Flavor;
    /** apiServer.certSANs of master1's kubeadm.yaml. */
    readonly certSans: string[];
}

/** Synthesizes the dev stack (with optional --set overrides) and builds the LB flavor from it. */
export async function oursFromSynth(topo: ApiTopology, sets: readonly string[] = [], label = "ours"): Promise<Ours> {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-ha-synth-"));
    try {
        const nodes = await synth("dev", out, sets);
        const files: Record<string, HostFiles> = {};
        for (const lb of topo.lbs) {
            const conf = readNodeFile(nodes, lb.name, "keepalived.conf");
            const { include, script } = keepalivedPaths(conf);
            if (script !== "/etc/keepalived/check_apiserver.sh") throw new Error(`${lb.name}: keepalived.conf runs ${script}, the drills place check_apiserver.sh at /etc/keepalived/check_apiserver.sh`);
            // VRRPv3 has no authentication, so no password include; VRRPv2 must have one.
            const v3 = /^\s*version 3$/m.test(conf);
            if (v3 ? include !== undefined : !include?.startsWith("/etc/keepalived/")) throw new Error(`${lb.name}: keepalived.conf's password include ${include} does not fit VRRPv${v3 ? 3 : 2}`);
            files[lb.name] = {
                "/etc/haproxy/haproxy.cfg": { content: readNodeFile(nodes, lb.name, "haproxy.cfg"), mode: 0o644 },
                "/etc/keepalived/keepalived.conf": { content: conf, mode: 0o644 },
                [script]: { content: readNodeFile(nodes, lb.name, "check_apiserver.sh"), mode: 0o755 },
                ...(include ? { [include]: { content: renderVrrpAuth(VRRP_PASSWORD), mode: 0o600 } } : {}),
            };
        }
        const sans = certSans(readNodeFile(nodes, topo.masters[0].name, "kubeadm.yaml"));
        return { flavor: { label, files }, certSans: sans };
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}
