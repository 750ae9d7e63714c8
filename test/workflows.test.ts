/**
 * The GitHub Actions workflows: each validates against the workflow schema (action-validator,
 * offline), a broken copy does not; the jobs do what the pull-request flow needs; and the stack
 * detection script, taken out of stacks.yml, picks the right stacks in a real git repository.
 */
import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");
const VALIDATOR = path.join(ROOT, "node_modules", "@action-validator", "cli", "cli.mjs");
const run = promisify(execFile);

type Workflow = Record<string, any>;

function load(name: string): Workflow {
    return YAML.parse(fs.readFileSync(path.join(DIR, name), "utf8")) as Workflow;
}

/** Runs action-validator on a file (from the repository root, where its path globs resolve). */
async function validate(file: string): Promise<{ code: number; out: string }> {
    try {
        const r = await run(process.execPath, [VALIDATOR, file], { cwd: ROOT });
        return { code: 0, out: r.stdout + r.stderr };
    } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        return { code: err.code, out: err.stdout + err.stderr };
    }
}

const WORKFLOWS = ["ci.yml", "preview.yml", "stacks.yml", "up.yml"];

/** All steps of a job. */
function steps(wf: Workflow, job: string): any[] {
    return wf.jobs[job].steps as any[];
}

describe("GitHub workflows", function () {
    this.timeout(60_000);

    it("are exactly the expected files", () => {
        assert.deepEqual(fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort(), WORKFLOWS);
    });

    for (const f of WORKFLOWS) {
        it(`${f} validates against the workflow schema`, async () => {
            const r = await validate(path.join(DIR, f));
            assert.equal(r.code, 0, r.out);
        });
    }

    it("a broken workflow fails validation, with the offending path", async () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-wf-"));
        const wf = load("preview.yml");
        wf.jobs.preview["run-on"] = wf.jobs.preview["runs-on"]; // a typo
        delete wf.jobs.preview["runs-on"];
        const file = path.join(tmp, "preview.yml");
        fs.writeFileSync(file, YAML.stringify(wf));
        const r = await validate(file);
        assert.equal(r.code, 1);
        const report = JSON.parse(r.out.slice(r.out.indexOf("{")));
        assert.equal(report.actionType, "workflow");
        assert.ok(JSON.stringify(report.errors).includes("/jobs/preview"), r.out);
        assert.ok(JSON.stringify(report.errors).includes("Additional property 'run-on' is not allowed"), r.out);
    });

    it("ci runs .ci/run as root, callable by the other workflows", () => {
        const wf = load("ci.yml");
        assert.ok("workflow_call" in wf.on && "workflow_dispatch" in wf.on);
        assert.deepEqual(wf.permissions, { contents: "read" });
        assert.ok(steps(wf, "test").some((s) => s.run === 'sudo env "PATH=$PATH" .ci/run'));
        assert.ok(fs.existsSync(path.join(ROOT, ".ci", "run")));
    });

    it("preview: on pull requests, checks, then pulumi preview per touched stack, commented on the PR", () => {
        const wf = load("preview.yml");
        assert.deepEqual(Object.keys(wf.on), ["pull_request"]);
        assert.equal(wf.jobs.ci.uses, "./.github/workflows/ci.yml");
        assert.equal(wf.jobs.stacks.uses, "./.github/workflows/stacks.yml");
        const job = wf.jobs.preview;
        assert.deepEqual(job.needs, ["ci", "stacks"]);
        assert.equal(job.strategy.matrix.stack, "${{ fromJSON(needs.stacks.outputs.stacks) }}");
        assert.equal(job.strategy["fail-fast"], false);
        assert.deepEqual(job.permissions, { contents: "read", "pull-requests": "write", "id-token": "write" });
        const all = steps(wf, "preview");
        assert.ok(all.some((s) => s.run === "npm ci --no-audit --no-fund"));
        assert.ok(all.some((s) => /npm run synth -- --stack "\$STACK"/.test(s.run ?? "") && s.env?.STACK === "${{ matrix.stack }}"));
        const pulumi = all.find((s) => s.uses === "pulumi/actions@v6");
        assert.ok(pulumi, "pulumi/actions@v6");
        assert.equal(pulumi.with.command, "preview");
        assert.equal(pulumi.with["comment-on-pr"], true);
        assert.equal(pulumi.with.policyPacks, "policy");
        assert.match(pulumi.with["stack-name"], /matrix\.stack/);
        assert.equal(job.env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
    });

    it("up: on main, checks, then pulumi up per stack through its environment, one at a time per stack", () => {
        const wf = load("up.yml");
        assert.deepEqual(wf.on.push, { branches: ["main"] });
        const job = wf.jobs.up;
        assert.deepEqual(job.needs, ["ci", "stacks"]);
        assert.equal(job.environment, "${{ matrix.stack }}");
        assert.deepEqual(job.concurrency, { group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
        const pulumi = steps(wf, "up").find((s) => s.uses === "pulumi/actions@v6");
        assert.equal(pulumi.with.command, "up");
        assert.equal(pulumi.with.policyPacks, "policy");
        assert.equal(wf.jobs.stacks.with.base, "${{ github.event_name == 'push' && github.event.before || '' }}");
    });

    it("no workflow interpolates an expression into a shell script", () => {
        for (const f of WORKFLOWS) {
            for (const job of Object.values(load(f).jobs) as any[]) {
                for (const s of job.steps ?? []) assert.ok(!/\$\{\{/.test(s.run ?? ""), `${f}: ${s.name ?? s.run}`);
            }
        }
    });

    describe("stack detection (the script of stacks.yml)", () => {
        const script = (load("stacks.yml").jobs.detect.steps as any[]).find((s) => s.id === "detect").run as string;
        let repo: string;
        let base: string;

        const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
        const write = (file: string, text = "x\n") => {
            fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
            fs.writeFileSync(path.join(repo, file), text);
        };
        /** Commits `change` on top of the base commit and returns the detected stacks. */
        const detect = (change: () => void, env: { BASE?: string; ONLY?: string } = {}): unknown => {
            git("checkout", "-q", "--detach", base);
            change();
            git("add", "-A");
            git("commit", "-q", "--allow-empty", "-m", "change");
            const out = path.join(repo, "..", `out-${Math.random().toString(36).slice(2)}`);
            execFileSync("bash", ["-c", script], {
                cwd: repo,
                env: { ...process.env, BASE: env.BASE ?? base, HEAD: git("rev-parse", "HEAD"), ONLY: env.ONLY ?? "", GITHUB_OUTPUT: out },
                stdio: ["ignore", "ignore", "pipe"],
            });
            const line = fs.readFileSync(out, "utf8").trim();
            assert.match(line, /^stacks=/);
            return JSON.parse(line.slice("stacks=".length));
        };

        before(() => {
            repo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-stacks-")), "repo");
            fs.mkdirSync(repo);
            git("init", "-q");
            git("config", "user.email", "ci@example.invalid");
            git("config", "user.name", "ci");
            for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.onprem-external-etcd.yaml", "index.ts", "components/index.ts", "README.md", "test/a.test.ts", "examples/reuse/Pulumi.staging.yaml"]) write(f);
            git("add", "-A");
            git("commit", "-q", "-m", "base");
            base = git("rev-parse", "HEAD");
        });

        it("a changed stack file: that stack", () => {
            assert.deepEqual(detect(() => write("Pulumi.dev.yaml", "changed\n")), ["dev"]);
        });

        it("shared code: every stack", () => {
            assert.deepEqual(detect(() => write("components/index.ts", "changed\n")), ["dev", "onprem-external-etcd"]);
            assert.deepEqual(detect(() => write("Pulumi.yaml", "changed\n")), ["dev", "onprem-external-etcd"]);
            assert.deepEqual(detect(() => write("policy/rules/new.ts")), ["dev", "onprem-external-etcd"]);
        });

        it("docs, tests and examples only: no stack", () => {
            assert.deepEqual(detect(() => (write("README.md", "more\n"), write("test/b.test.ts"), write("examples/reuse/Pulumi.staging.yaml", "y\n"))), []);
        });

        it("a new stack counts, a deleted one does not", () => {
            assert.deepEqual(detect(() => write("Pulumi.aws.yaml")), ["aws"]);
            assert.deepEqual(detect(() => fs.rmSync(path.join(repo, "Pulumi.dev.yaml"))), []);
        });

        it("no usable base: every stack; one stack by name", () => {
            assert.deepEqual(detect(() => write("README.md", "x2\n"), { BASE: "0000000000000000000000000000000000000000" }), ["dev", "onprem-external-etcd"]);
            assert.deepEqual(detect(() => write("README.md", "x3\n"), { BASE: "" }), ["dev", "onprem-external-etcd"]);
            assert.deepEqual(detect(() => undefined, { ONLY: "onprem-external-etcd" }), ["onprem-external-etcd"]);
        });

        it("refuses an unknown stack by name", () => {
            assert.throws(() => detect(() => undefined, { ONLY: "nope" }));
        });
    });
});
