/**
 * The real Pulumi engine, as the lab and the engine tests run it: the CLI and plugins built by
 * `lab/toolchain/build.sh engine` (toolchain cache, `current/engine`), a private PULUMI_HOME, a
 * local file backend and a passphrase secrets provider, and a copy of the project whose stack
 * files a run may change (`pulumi stack init` and `config set --secret` write into them).
 * Nothing here downloads anything.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { labCache, REPO } from "./toolchain";

const ENGINE_BUILD_COMMAND = "npm run -s lab:build -- engine";

export interface Engine {
    readonly dir: string;
    readonly pulumi: string;
    readonly version: string;
    /** name → version and plugin binary */
    readonly plugins: ReadonlyMap<string, { readonly version: string; readonly binary: string }>;
}

function parseEnv(text: string): Record<string, string> {
    return Object.fromEntries(
        text
            .split("\n")
            .filter((l) => /^[A-Z_]+=/.test(l))
            .map((l) => {
                const i = l.indexOf("=");
                return [l.slice(0, i), l.slice(i + 1).replace(/^"|"$/g, "")];
            }),
    );
}

/** The built engine; throws (never skips) naming the command that builds it. */
export function findEngine(): Engine {
    const dir = path.join(labCache(), "current", "engine");
    const versionsFile = path.join(dir, "versions.env");
    if (!fs.existsSync(versionsFile)) throw new Error(`the Pulumi engine is not built (no ${versionsFile}): run ${ENGINE_BUILD_COMMAND}`);
    const env = parseEnv(fs.readFileSync(versionsFile, "utf8"));
    const plugins = new Map<string, { version: string; binary: string }>();
    for (const spec of (env.PULUMI_PLUGINS ?? "").split(/\s+/).filter(Boolean)) {
        const [name, version] = spec.split("@");
        const binary = path.join(dir, "plugins", `${name}-${version}`, `pulumi-resource-${name}`);
        if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run ${ENGINE_BUILD_COMMAND}`);
        plugins.set(name, { version, binary });
    }
    for (const bin of ["pulumi", "pulumi-language-nodejs"]) {
        if (!fs.existsSync(path.join(dir, "bin", bin))) throw new Error(`${path.join(dir, "bin", bin)} is missing: run ${ENGINE_BUILD_COMMAND}`);
    }
    return { dir, pulumi: path.join(dir, "bin", "pulumi"), version: env.PULUMI_VERSION, plugins };
}

export interface Ran {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly ms: number;
}

/** A private engine home, file backend and project copy. */
export class EngineWorkspace {
    readonly project: string;
    readonly env: NodeJS.ProcessEnv;

    /**
     * @param root a private directory (mode 0700): state, home and the project copy live here.
     * @param wrap a command prefix to run pulumi under (the lab: `ip netns exec <operator>`).
     */
    constructor(
        readonly engine: Engine,
        readonly root: string,
        readonly wrap: readonly string[] = [],
        passphrase = "hacluster-lab-passphrase",
    ) {
        this.project = path.join(root, "project");
        fs.mkdirSync(path.join(root, "state"), { recursive: true, mode: 0o700 });
        fs.mkdirSync(this.project, { recursive: true });
        // Everything but the stack files is a link to the checkout; stack files are copies.
        for (const e of fs.readdirSync(REPO)) {
            if (e === ".git" || e === "out" || fs.existsSync(path.join(this.project, e))) continue;
            if (/^Pulumi\..+\.yaml$/.test(e)) fs.copyFileSync(path.join(REPO, e), path.join(this.project, e));
            else fs.symlinkSync(path.join(REPO, e), path.join(this.project, e));
        }
        this.env = {
            ...process.env,
            PATH: `${path.join(engine.dir, "bin")}${path.delimiter}${process.env.PATH}`,
            PULUMI_HOME: path.join(root, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            // Enables --event-log (per-step timings for bench:lab and the lab's phases).
            PULUMI_DEBUG_COMMANDS: "true",
            NO_COLOR: "1",
        };
        delete this.env.PULUMI_ACCESS_TOKEN;
    }

    /** Runs the CLI (never throws); output is kept, bounded. */
    run(args: readonly string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
        const started = Date.now();
        const argv = [...this.wrap, this.engine.pulumi, ...args, "--non-interactive", "--color", "never"];
        return new Promise((resolve) => {
            const child = spawn(argv[0], argv.slice(1), { cwd: this.project, env: { ...this.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            const cap = (s: string, d: Buffer) => (s + d.toString()).slice(-4 * 1024 * 1024);
            child.stdout.on("data", (d: Buffer) => (stdout = cap(stdout, d)));
            child.stderr.on("data", (d: Buffer) => (stderr = cap(stderr, d)));
            const timer = setTimeout(() => {
                stderr += `\n(pulumi ${args[0]} killed after ${opts.timeoutMs} ms)`;
                child.kill("SIGKILL");
            }, opts.timeoutMs ?? 1_800_000);
            child.on("close", (code) => {
                clearTimeout(timer);
                resolve({ code, stdout, stderr, ms: Date.now() - started });
            });
            child.stdin.on("error", () => undefined);
            child.stdin.end(opts.input ?? "");
        });
    }

    /** `run`, throwing with the output's tail on failure. */
    async ok(args: readonly string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
        const r = await this.run(args, opts);
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (exit ${r.code}):\n${r.stdout.slice(-8000)}\n${r.stderr.slice(-8000)}`);
        return r;
    }

    /** Installs the built resource plugins into this workspace's PULUMI_HOME. */
    async installPlugins(): Promise<void> {
        for (const [name, p] of this.engine.plugins) await this.ok(["plugin", "install", "resource", name, p.version, "--file", p.binary]);
    }

    stackFile(stack: string): string {
        return path.join(this.project, `Pulumi.${stack}.yaml`);
    }
}
