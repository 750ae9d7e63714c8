/**
 * The real Pulumi engine for tests: the CLI and plugins built by `lab/toolchain/build.sh engine`
 * into the toolchain cache, a local file backend and a passphrase secrets provider in a temporary
 * directory, and a copy of the project whose stack files the tests may change (`pulumi stack init`
 * writes the passphrase salt into the stack file). Nothing here downloads anything.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Engine } from "../../lab/engine";
import { REPO as ROOT } from "../../lab/toolchain";

export { findEngine, type Engine } from "../../lab/engine";

/** The resource plugin version an installed npm SDK asks the engine for. */
export function sdkPluginVersion(name: string): string {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", name, "package.json"), "utf8"));
    return pkg.pulumi?.version ?? pkg.version;
}

export interface Result {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** A private Pulumi home, file backend and project copy; `run` invokes the CLI there. */
export class Workspace {
    readonly root: string;
    /** The project directory commands run in (a copy of the checkout unless a test points it elsewhere). */
    project: string;
    readonly env: NodeJS.ProcessEnv;

    constructor(readonly engine: Engine, readonly passphrase = "hacluster-test-passphrase") {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-engine-"));
        this.project = path.join(this.root, "project");
        fs.mkdirSync(path.join(this.root, "state"));
        fs.mkdirSync(this.project);
        // Everything but the stack files is a link to the checkout; stack files are copies.
        for (const e of fs.readdirSync(ROOT)) {
            if (e === ".git" || e === "out" || /^Pulumi\..+\.yaml$/.test(e)) continue;
            fs.symlinkSync(path.join(ROOT, e), path.join(this.project, e));
        }
        for (const e of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
            fs.copyFileSync(path.join(ROOT, e), path.join(this.project, e));
        }
        this.env = {
            ...process.env,
            PATH: `${path.join(engine.dir, "bin")}${path.delimiter}${process.env.PATH}`,
            PULUMI_HOME: path.join(this.root, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
            NO_COLOR: "1",
        };
        delete this.env.PULUMI_ACCESS_TOKEN;
        delete this.env.SSH_AUTH_SOCK;
    }

    run(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Result {
        const r = spawnSync(this.engine.pulumi, [...args, "--non-interactive", "--color", "never"], {
            cwd: this.project,
            env: this.env,
            input: opts.input,
            encoding: "utf8",
            timeout: opts.timeoutMs ?? 300_000,
            maxBuffer: 256 * 1024 * 1024,
        });
        return { status: r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? `\n${r.error}` : "") };
    }

    /** `run`, asserting success. */
    ok(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Result {
        const r = this.run(args, opts);
        assert.equal(r.status, 0, `pulumi ${args.join(" ")} failed (${r.status}):\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-6000)}`);
        return r;
    }

    /** Installs the built resource plugins into this workspace's PULUMI_HOME. */
    installPlugins(): void {
        for (const [name, p] of this.engine.plugins) this.ok(["plugin", "install", "resource", name, p.version, "--file", p.binary]);
    }

    stackFile(stack: string): string {
        return path.join(this.project, `Pulumi.${stack}.yaml`);
    }

    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** One step of `pulumi preview --json`. */
interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly newState?: {
        readonly type: string;
        readonly urn: string;
        readonly parent?: string;
        readonly dependencies?: string[];
        readonly inputs?: Record<string, unknown>;
        readonly custom?: boolean;
    };
}

export interface PreviewJson {
    readonly steps: PreviewStep[];
    readonly diagnostics?: { message: string; severity: string; urn?: string }[];
    readonly changeSummary?: Record<string, number>;
}

export const nameOfUrn = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);
