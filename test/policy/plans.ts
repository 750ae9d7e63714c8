/**
 * The shipped stacks' synth plans, made once per mocha process by the real CLI
 * (`npm run synth -- --stack <stack> --out <tmp>`) in child processes, as CI and reviewers do.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Plan } from "../../synth/synth";

export const ROOT = path.resolve(__dirname, "../..");
const run = promisify(execFile);

export interface ShippedPlans {
    /** Stack `dev`: stacked etcd, VIP on two LB hosts. */
    readonly dev: Plan;
    /** Stack `onprem-external-etcd`: three external etcd members. */
    readonly externalEtcd: Plan;
}

/** Runs the synth CLI for a stack (optionally another project) and reads its plan. */
export async function synthPlan(stack: string, opts: { project?: string; out?: string } = {}): Promise<Plan> {
    const out = opts.out ?? fs.mkdtempSync(path.join(os.tmpdir(), `hacluster-plan-${stack}-`));
    const args = ["run", "--silent", "synth", "--", "--stack", stack, "--out", path.join(out, "synth"), "--quiet", ...(opts.project ? ["--project", opts.project] : [])];
    try {
        await run("npm", args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`npm ${args.join(" ")} failed: ${err.stderr || err.message}`);
    }
    return JSON.parse(fs.readFileSync(path.join(out, "synth", "plan.json"), "utf8")) as Plan;
}

const memo = new Map<string, Promise<Plan>>();

/** The plan of one of this project's stacks, synthesized once per test run. */
export function stackPlan(stack: string): Promise<Plan> {
    let p = memo.get(stack);
    if (!p) {
        p = synthPlan(stack);
        memo.set(stack, p);
    }
    return p;
}

/** Every stack this project ships: the `Pulumi.<stack>.yaml` files next to `Pulumi.yaml`. */
export function projectStacks(): string[] {
    return fs
        .readdirSync(ROOT)
        .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** The plans of the two on-prem stacks the policy tests mutate (synthesized once, in parallel). */
export function shippedPlans(): Promise<ShippedPlans> {
    return Promise.all([stackPlan("dev"), stackPlan("onprem-external-etcd")]).then(([dev, externalEtcd]) => ({ dev, externalEtcd }));
}
