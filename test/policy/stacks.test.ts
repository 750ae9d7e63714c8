/**
 * The whole pack over every stack this project ships (each `Pulumi.<stack>.yaml`, the cloud ones
 * included as they land): no rule errs, every cluster and every machine, template, disk and
 * firewall the components create is actually checked (no silent "not applicable" from a property
 * or type name drifting), and no stack violates a rule unless the finding is listed in PENDING
 * with the change it waits for.
 */
import { strict as assert } from "node:assert";
import { policies } from "../../policy/policies";
import { resourceType } from "../../policy/lib/engine";
import { TYPES } from "../../policy/lib/shapes";
import type { Plan } from "../../synth/synth";
import { analyze, type Outcome } from "./engine";
import { projectStacks, stackPlan } from "./plans";

/** Resource types each rule must check wherever they occur (GCP disks only on request: see the rule). */
const CHECKED_TYPES: Readonly<Record<string, readonly string[]>> = {
    "no-public-etcd-kubelet": [
        TYPES.awsSecurityGroup,
        TYPES.awsSecurityGroupRule,
        TYPES.awsSecurityGroupIngressRule,
        TYPES.gcpFirewall,
        TYPES.azureNetworkSecurityGroup,
        TYPES.azureSecurityRule,
    ],
    "disks-encrypted": [
        TYPES.awsInstance,
        TYPES.awsSpotInstanceRequest,
        TYPES.awsLaunchTemplate,
        TYPES.awsEbsVolume,
        TYPES.azureVirtualMachine,
        TYPES.azureVirtualMachineScaleSet,
        TYPES.azureManagedCluster,
        TYPES.azureAgentPool,
    ],
    "aws-imdsv2-required": [TYPES.awsInstance, TYPES.awsSpotInstanceRequest, TYPES.awsLaunchTemplate],
};
const HA_RULES = ["ha-control-planes", "etcd-odd-quorum", "ha-endpoint-health-check"];

/**
 * Findings that wait for a change outside the pack, by stack and policy. The test fails on any
 * other violation; remove an entry once its stack is clean.
 */
const PENDING: Readonly<Record<string, Readonly<Record<string, string>>>> = {
};

describe("policy pack over every shipped stack", () => {
    for (const stack of projectStacks()) {
        describe(`stack ${stack}`, () => {
            let plan: Plan;
            let o: Outcome;
            before(async function () {
                this.timeout(180_000);
                try {
                    plan = await stackPlan(stack);
                } catch (e) {
                    // A stack that does not synth is the synth tests' finding, not this one's.
                    console.warn(`    (stack ${stack} does not synth: ${(e as Error).message.split("\n")[0]})`);
                    this.skip();
                }
                o = await analyze(plan, policies);
            });

            it("runs every rule without an error or an unknown value", () => {
                assert.deepEqual(o.unknown, []);
            });

            it("checks every cluster component with the HA rules (managed clusters excepted)", () => {
                const clusters = plan.resources.filter((r) => r.type.startsWith("hacluster:") && r.inputs.facts !== undefined);
                assert.ok(clusters.length >= 1, "a cluster component with facts");
                for (const c of clusters) {
                    const managed = (c.inputs.facts as { family?: string }).family === "managed";
                    for (const rule of HA_RULES) {
                        const reason = o.notApplicable.get(`${rule} ${c.name}`);
                        if (managed) assert.match(reason ?? "", /is managed/, `${rule} ${c.name}`);
                        else if (rule !== "ha-control-planes" || (c.inputs.facts as { profile?: string }).profile === "ha") assert.equal(reason, undefined, `${rule} ${c.name}: ${reason}`);
                    }
                }
            });

            it("checks every machine, template, disk and firewall rule it creates", () => {
                for (const r of plan.resources) {
                    for (const [rule, types] of Object.entries(CHECKED_TYPES)) {
                        if (!types.includes(resourceType(r.type))) continue;
                        assert.equal(o.notApplicable.get(`${rule} ${r.name}`), undefined, `${rule} skipped ${r.type} ${r.name}`);
                    }
                }
            });

            it("violates no rule (except findings pending elsewhere)", () => {
                const pending = PENDING[stack] ?? {};
                const unexpected = o.violations.filter((v) => pending[v.policy] === undefined).map((v) => `[${v.policy}] ${v.message}`);
                assert.deepEqual(unexpected, []);
            });
        });
    }
});
