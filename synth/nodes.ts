/**
 * Node files from the plan: every node script a resource input delivers (SSH stdin, or cloud-init
 * user-data as the clouds take it: plain, base64 or gzip+base64, under any key), written as
 * `bootstrap.sh` / `user-data` plus each embedded file under its base name.
 */
import { cloudConfigText, scriptFromCloudInit } from "../components/render/cloudinit";
import { extractFiles, scriptNode } from "../components/render/script";
import { isObj, type Plan } from "./plan";


/** A node script reaching a node through one resource input. */
interface Delivery {
    readonly node: string;
    readonly resource: string;
    readonly kind: "ssh" | "cloud-init";
    /** What the node receives (the script, or the whole user-data). */
    readonly text: string;
    readonly script: string;
}

const USER_DATA_KEY = /user.?data|custom.?data|startup.?script/i;

function deliveriesOf(resource: string, inputs: unknown): Delivery[] {
    const found: Delivery[] = [];
    const visit = (v: unknown, key: string) => {
        if (typeof v === "string") {
            const cloudConfig = cloudConfigText(v);
            if (cloudConfig !== undefined) {
                let script: string | undefined;
                try {
                    script = scriptFromCloudInit(cloudConfig);
                } catch (e) {
                    throw new Error(`resource ${resource}: input ${key || "(root)"}: ${(e as Error).message}`);
                }
                const node = script === undefined ? undefined : scriptNode(script);
                if (script !== undefined && node !== undefined) found.push({ node, resource, kind: "cloud-init", text: cloudConfig, script });
                return;
            }
            const node = scriptNode(v);
            // A bare node script under a user-data key is user-data too (no cloud-config around it).
            if (node !== undefined) found.push({ node, resource, kind: USER_DATA_KEY.test(key) ? "cloud-init" : "ssh", text: v, script: v });
        } else if (Array.isArray(v)) {
            v.forEach((x) => visit(x, key));
        } else if (isObj(v)) {
            for (const k of Object.keys(v)) visit(v[k], k);
        }
    };
    visit(inputs, "");
    return found;
}

const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@+-]*$/;

function fileSafe(name: string): string {
    const s = name.replace(/[^A-Za-z0-9_.@+-]/g, "_");
    return SAFE_NAME.test(s) ? s : `_${s}`;
}

/** Collects the files of every node from the plan's (secret-free) inputs. Throws on conflicts. */
export function collectNodeFiles(plan: Plan): Map<string, Record<string, string>> {
    const perNode = new Map<string, { files: Record<string, string>; origin: Record<string, string>; texts: Set<string>; count: number }>();
    for (const r of plan.resources) {
        for (const d of deliveriesOf(r.name, r.inputs)) {
            if (!SAFE_NAME.test(d.node) || d.node.includes("..")) {
                throw new Error(`resource ${r.name} delivers a node script for ${JSON.stringify(d.node)}, which is not usable as a directory name`);
            }
            let entry = perNode.get(d.node);
            if (!entry) {
                entry = { files: {}, origin: {}, texts: new Set(), count: 0 };
                perNode.set(d.node, entry);
            }
            if (entry.texts.has(d.text)) continue;
            entry.texts.add(d.text);
            const first = entry.count === 0;
            entry.count++;
            const deliveredAs = d.kind === "ssh" ? (first ? "bootstrap.sh" : `${fileSafe(d.resource)}.sh`) : first ? "user-data" : `${fileSafe(d.resource)}.user-data`;
            const add = (name: string, content: string, origin: string) => {
                const prev = entry!.files[name];
                if (prev !== undefined && prev !== content) {
                    throw new Error(
                        `node ${d.node}: ${entry!.origin[name]} and ${origin} deliver different contents named ${name}; ` +
                            `base names must be unique per node`,
                    );
                }
                entry!.files[name] = content;
                entry!.origin[name] = origin;
            };
            add(deliveredAs, d.text, `resource ${d.resource}`);
            for (const f of extractFiles(d.script)) {
                if (!SAFE_NAME.test(f.name)) throw new Error(`node ${d.node}: embedded file ${JSON.stringify(f.path)} has an unusable base name`);
                add(f.name, f.content, `the script of resource ${d.resource} (${f.path})`);
            }
        }
    }
    const out = new Map<string, Record<string, string>>();
    for (const node of [...perNode.keys()].sort()) {
        const files = perNode.get(node)!.files;
        const sorted: Record<string, string> = {};
        for (const k of Object.keys(files).sort()) sorted[k] = files[k];
        out.set(node, sorted);
    }
    return out;
}

