/**
 * The files the drills run: produced by the project's own offline synth (`npm run synth`), so the
 * drills test exactly what each node receives.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { run } from "./lab";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Runs `synth/cli.ts --stack <stack> --out <out> [--set ...]`; returns `<out>/nodes`. Bounded. */
export async function synth(stack: string, out: string, sets: readonly string[] = []): Promise<string> {
    const args = ["-r", require.resolve("ts-node/register/transpile-only"), path.join(PROJECT_DIR, "synth", "cli.ts"), "--stack", stack, "--out", out, "--project", PROJECT_DIR, "--quiet"];
    for (const s of sets) args.push("--set", s);
    const r = await run(process.execPath, args, 120_000);
    if (r.code !== 0) throw new Error(`synth --stack ${stack} ${sets.join(" ")} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
    return path.join(out, "nodes");
}

export function readNodeFile(nodes: string, node: string, file: string): string {
    const f = path.join(nodes, node, file);
    if (!fs.existsSync(f)) throw new Error(`synth output has no ${node}/${file} (looked in ${f})`);
    return fs.readFileSync(f, "utf8");
}

/** `apiServer.certSANs` of the ClusterConfiguration in a node's kubeadm.yaml (the project's computed SANs). */
export function certSans(kubeadmYaml: string): string[] {
    for (const doc of YAML.parseAllDocuments(kubeadmYaml)) {
        const d = doc.toJS() as { kind?: string; apiServer?: { certSANs?: string[] } } | null;
        if (d?.kind === "ClusterConfiguration") {
            const sans = d.apiServer?.certSANs;
            if (!sans?.length) throw new Error("kubeadm.yaml: ClusterConfiguration has no apiServer.certSANs");
            return sans;
        }
    }
    throw new Error("kubeadm.yaml has no ClusterConfiguration document");
}

/** Parses an EnvironmentFile the way systemd does for unquoted values: KEY=value, `#`/`;` comments. */
export function parseEnvFile(text: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (!m) throw new Error(`not an EnvironmentFile line: ${raw}`);
        env[m[1]] = m[2];
    }
    return env;
}
