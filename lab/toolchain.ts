/**
 * The toolchain's output, as the lab and the tests find it: the cache's `current/manifest/manifest.json`
 * (lab/toolchain/build.sh). Missing or stale output fails loudly with the command that builds it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readManifest, type ToolchainManifest } from "./mirror/server";

export const REPO = path.resolve(__dirname, "..");

/** The toolchain cache: $HACLUSTER_LAB_CACHE, else ~/.cache/hacluster-lab (as build.sh). */
export function labCache(): string {
    return process.env.HACLUSTER_LAB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "hacluster-lab");
}

export function manifestPath(): string {
    return path.join(labCache(), "current", "manifest", "manifest.json");
}

/** The built toolchain; throws (never skips) with what to run when it is missing. */
export function toolchain(): ToolchainManifest {
    const file = manifestPath();
    if (!fs.existsSync(file)) {
        throw new Error(`the lab toolchain is not built (no ${file}): run \`npm run -s lab:build\` (cold: about an hour on 2 cores; see README "The lab")`);
    }
    return readManifest(file);
}

/** The built kubeadm of a Kubernetes release (e.g. 1.37.2). */
export function kubeadmBinary(version: string): string {
    const m = toolchain();
    const r = m.releases[version];
    if (!r) throw new Error(`the lab toolchain builds Kubernetes ${Object.keys(m.releases).join(" and ")}, not ${version}: see lab/toolchain/versions.env`);
    const bin = path.join(r.bin, "kubeadm");
    const v = spawnSync(bin, ["version", "-o", "short"], { encoding: "utf8" }).stdout.trim();
    if (v !== `v${version}`) throw new Error(`${bin} reports ${v || "nothing"}, expected v${version}: rebuild with npm run -s lab:build`);
    return bin;
}
