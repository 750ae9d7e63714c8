/**
 * `npm run bench:typecheck`: what `pulumi preview` pays to type-check the program (ts-node checks
 * index.ts and every module a stack loads), per platform: index.ts with the platform's component,
 * each in a fresh `tsc --noEmit`. Prints a markdown table: files, seconds, peak RSS.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const CASES: [string, string[]][] = [
    ["index.ts alone (on-prem loads nothing more)", []],
    ["onprem", ["components/onprem/index.ts"]],
    ["aws", ["components/aws/index.ts"]],
    ["gcp", ["components/gcp/index.ts"]],
    ["azure", ["components/azure/index.ts"]],
    ["eks", ["components/managed/eks.ts"]],
    ["gke", ["components/managed/gke.ts"]],
    ["aks", ["components/managed/aks.ts"]],
];

// Inside the project, so tsc resolves @types as it does for the program.
const dir = fs.mkdtempSync(path.join(ROOT, ".bench-tsc-"));
const rows: string[] = [];
try {
    for (const [label, files] of CASES) {
        const cfg = path.join(dir, `${label.split(" ")[0]}.json`);
        fs.writeFileSync(cfg, JSON.stringify({ extends: path.join(ROOT, "tsconfig.json"), compilerOptions: { types: ["node"] }, include: [], files: [path.join(ROOT, "index.ts"), ...files.map((f) => path.join(ROOT, f))] }));
        const started = process.hrtime.bigint();
        const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, TSC, "--noEmit", "--listFiles", "-p", cfg], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (r.status !== 0) throw new Error(`tsc failed for ${label}:\n${r.stdout}\n${r.stderr}`);
        const filesChecked = r.stdout.split("\n").filter((l) => l.endsWith(".ts")).length;
        const rssMiB = Number(r.stderr.trim().split("\n").pop()) / 1024;
        rows.push(`| ${label} | ${filesChecked} | ${seconds.toFixed(2)} | ${rssMiB.toFixed(0)} |`);
        console.error(`${label} done`);
    }
} finally {
    fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`Type-check cost per stack (tsc --noEmit), node ${process.version}, ${os.cpus().length} CPUs\n`);
console.log("| stack loads | files checked | seconds | peak RSS MiB |\n|---|---:|---:|---:|");
console.log(rows.join("\n"));
