/**
 * The pack as the Pulumi CLI runs it: `policy/index.ts` started in `policy/` (where the CLI starts
 * it, reading `package.json` for the version) serves the analyzer gRPC protocol; this test is the
 * engine's client side: GetAnalyzerInfo, then per resource Remediate followed by Analyze.
 */
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { Plan, PlanResource } from "../../synth/synth";
import { PACK_NAME, policies, secretsAreSecret } from "../../policy/policies";
import { clonePlan, clusterOf, resource, toWire, urnOf, wireIsSecret } from "./engine";
import { ROOT, shippedPlans, type ShippedPlans } from "./plans";

/* eslint-disable @typescript-eslint/no-require-imports */
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const LEVELS: Record<number, string> = Object.fromEntries(Object.entries(analyzerPb.EnforcementLevel as Record<string, number>).map(([k, v]) => [v, k.toLowerCase()]));

interface Diagnostic {
    policy: string;
    message: string;
    level: string;
}

function call<T>(client: any, method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

function request(plan: Plan, r: PlanResource, wire: unknown = toWire(r.inputs)): unknown {
    const req = new analyzerPb.AnalyzeRequest();
    req.setUrn(urnOf(plan, r));
    req.setType(r.type);
    req.setName(r.name);
    req.setProperties(Struct.fromJavaScript(wire));
    req.setOptions(new analyzerPb.AnalyzerResourceOptions());
    return req;
}

describe("policy pack served over gRPC (as under pulumi preview --policy-pack policy)", function () {
    this.timeout(60_000);
    let plans: ShippedPlans;
    let child: ChildProcess;
    let client: any;

    before(async function () {
        this.timeout(120_000);
        plans = await shippedPlans();
        child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
            cwd: path.join(ROOT, "policy"),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += String(d)));
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (d) => {
                out += String(d);
                const m = /^(\d+)\n/.exec(out);
                if (m) resolve(Number(m[1]));
            });
            child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
        });
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        if (child && child.exitCode === null) child.kill();
    });

    /** Remediate then Analyze, like the engine's step generator. */
    async function run(plan: Plan, r: PlanResource): Promise<{ diagnostics: Diagnostic[]; remediated?: unknown }> {
        const rem: any = await call(client, "remediate", request(plan, r));
        let wire: unknown = toWire(r.inputs);
        for (const x of rem.getRemediationsList()) if (x.getProperties()) wire = x.getProperties().toJavaScript();
        const res: any = await call(client, "analyze", request(plan, r, wire));
        const diagnostics = res.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), message: d.getMessage(), level: LEVELS[d.getEnforcementlevel()] }));
        return { diagnostics, ...(rem.getRemediationsList().length > 0 ? { remediated: wire } : {}) };
    }

    it("describes every policy with its enforcement level", async () => {
        const info: any = await call(client, "getAnalyzerInfo", new Empty());
        assert.equal(info.getName(), PACK_NAME);
        assert.equal(info.getVersion(), "0.1.0");
        const served = info.getPoliciesList().map((p: any) => `${p.getName()}=${LEVELS[p.getEnforcementlevel()]}`);
        assert.deepEqual(served, policies.map((p) => `${p.name}=${p.enforcementLevel}`));
        assert.deepEqual(served, [
            "ha-control-planes=mandatory",
            "etcd-odd-quorum=mandatory",
            "ha-endpoint-health-check=mandatory",
            "no-public-etcd-kubelet=mandatory",
            "disks-encrypted=mandatory",
            "aws-imdsv2-required=mandatory",
            "secrets-are-secret=remediate",
        ]);
    });

    it("finds nothing in the shipped stacks", async () => {
        for (const plan of [plans.dev, plans.externalEtcd]) {
            for (const r of plan.resources) {
                const { diagnostics, remediated } = await run(plan, r);
                assert.deepEqual(diagnostics, [], r.name);
                assert.equal(remediated, undefined, r.name);
            }
        }
    });

    it("blocks a cluster with two control planes in one zone", async () => {
        const plan = clonePlan(plans.dev);
        const facts = clusterOf(plan).inputs.facts as any;
        facts.controlPlanes = { count: 2, zones: ["rack-a", "rack-a"] };
        facts.etcd = { topology: "stacked", members: 2, zones: ["rack-a", "rack-a"] };
        const { diagnostics } = await run(plan, clusterOf(plan));
        assert.deepEqual(
            diagnostics.map((d) => `${d.policy} ${d.level}`),
            ["ha-control-planes mandatory", "ha-control-planes mandatory", "etcd-odd-quorum mandatory", "etcd-odd-quorum mandatory"],
        );
    });

    it("remediates a plain secrets step into a secret, then blocks it", async () => {
        const plan = clonePlan(plans.dev);
        const step = resource(plan, "dev-master2-secrets");
        step.inputs.stdin = "#!/bin/bash\necho plain";
        const { diagnostics, remediated } = await run(plan, step);
        assert.ok(wireIsSecret(remediated, ["stdin"]));
        assert.deepEqual(diagnostics, [
            {
                policy: "secrets-are-secret",
                level: "mandatory",
                // The server prefixes the policy's description, as the CLI prints it.
                message:
                    `${secretsAreSecret.description}\n` +
                    "dev-master2-secrets: stdin of the secrets step dev-master2-secrets is not a secret: it carries CA keys and join tokens. Fix: wrap it in pulumi.secret(...)",
            },
        ]);
    });
});
