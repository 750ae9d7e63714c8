/**
 * The HA shape rules against the shipped stacks' synth plans (which pass) and mutated copies
 * (which must not): control planes and zones, etcd size and spread, endpoint health check.
 */
import { strict as assert } from "node:assert";
import type { Plan } from "../../synth/synth";
import { endpointHealthCheck, etcdQuorum, haControlPlanes } from "../../policy/policies";
import { analyze, clonePlan, clusterOf, messages, type Outcome } from "./engine";
import { shippedPlans, type ShippedPlans } from "./plans";

const HA = [haControlPlanes, etcdQuorum, endpointHealthCheck];

/** A copy of `plan` with the cluster's facts changed by `edit`. */
function withFacts(plan: Plan, edit: (facts: any) => void): Plan {
    const copy = clonePlan(plan);
    edit(clusterOf(copy).inputs.facts);
    return copy;
}

describe("policy: HA shape (cluster facts)", () => {
    let plans: ShippedPlans;
    before(async function () {
        this.timeout(120_000);
        plans = await shippedPlans();
    });

    for (const stack of ["dev", "externalEtcd"] as const) {
        it(`passes the shipped stack ${stack}, and checks its cluster`, async () => {
            const plan = plans[stack];
            const o = await analyze(plan, HA);
            assert.deepEqual(o.violations, []);
            assert.deepEqual(o.unknown, []);
            const cluster = clusterOf(plan).name;
            for (const p of HA) assert.equal(o.notApplicable.get(`${p.name} ${cluster}`), undefined, `${p.name} did not check ${cluster}`);
            // Every other resource is out of scope.
            assert.equal(o.notApplicable.size, HA.length * (plan.resources.length - 1));
        });
    }

    describe(haControlPlanes.name, () => {
        it("rejects two control planes in one zone", async () => {
            const plan = withFacts(plans.dev, (f) => (f.controlPlanes = { count: 2, zones: ["rack-a", "rack-a"] }));
            assert.deepEqual(messages(await analyze(plan, [haControlPlanes]), haControlPlanes.name), [
                "cluster dev: ha needs at least 3 control planes, it has 2. Fix: add control planes until there are 3 or more",
                "cluster dev: ha needs control planes in at least 3 zones, they are in 1 zone (rack-a: 2). Fix: give the control planes 3 different zones",
            ]);
        });

        it("rejects three control planes in two zones", async () => {
            const plan = withFacts(plans.dev, (f) => (f.controlPlanes.zones = ["rack-a", "rack-b", "rack-a"]));
            assert.deepEqual(messages(await analyze(plan, [haControlPlanes]), haControlPlanes.name), [
                "cluster dev: ha needs control planes in at least 3 zones, they are in 2 zones (rack-a: 2, rack-b: 1). Fix: give the control planes 3 different zones",
            ]);
        });

        it("accepts five control planes over three zones", async () => {
            const plan = withFacts(plans.dev, (f) => (f.controlPlanes = { count: 5, zones: ["a", "b", "c", "a", "b"] }));
            assert.deepEqual(messages(await analyze(plan, [haControlPlanes]), haControlPlanes.name), []);
        });

        it("does not apply to other profiles or to managed clusters", async () => {
            const dev = withFacts(plans.dev, (f) => (f.profile = "dev"));
            assert.equal((await analyze(dev, [haControlPlanes])).notApplicable.get(`${haControlPlanes.name} dev`), "cluster dev has profile dev, not ha");
            const managed = withFacts(plans.dev, (f) => Object.assign(f, { family: "managed", controlPlanes: { count: 0, zones: [] } }));
            const o = await analyze(managed, [haControlPlanes]);
            assert.deepEqual(o.violations, []);
            assert.equal(o.notApplicable.get(`${haControlPlanes.name} dev`), "cluster dev is managed: the provider runs its control plane and etcd");
        });

        it("reads facts from any hacluster component that records them (hacluster:managed:Eks)", async () => {
            const plan = clonePlan(plans.dev);
            const cluster = clusterOf(plan);
            (cluster as { type: string }).type = "hacluster:managed:Eks";
            (cluster.inputs.facts as any).controlPlanes = { count: 1, zones: ["a"] };
            assert.equal(messages(await analyze(plan, [haControlPlanes]), haControlPlanes.name).length, 2);
            delete cluster.inputs.facts;
            assert.equal((await analyze(plan, [haControlPlanes])).notApplicable.get(`${haControlPlanes.name} dev`), "applies to hacluster cluster components only");
        });

        it("rejects a cluster component that records no facts", async () => {
            const plan = clonePlan(plans.dev);
            delete clusterOf(plan).inputs.facts;
            assert.deepEqual(messages(await analyze(plan, [haControlPlanes]), haControlPlanes.name), [
                "cluster dev (hacluster:onprem:Cluster) records no HA facts, so its shape cannot be checked. " +
                    "Fix: pass clusterFacts(spec, topology) as the component's inputs, and do not set PULUMI_NODEJS_SKIP_COMPONENT_INPUTS",
            ]);
        });
    });

    describe(etcdQuorum.name, () => {
        it("rejects an even member count (stacked on four control planes)", async () => {
            const plan = withFacts(plans.dev, (f) => (f.etcd = { topology: "stacked", members: 4, zones: ["rack-a", "rack-b", "rack-c", "rack-a"] }));
            assert.deepEqual(messages(await analyze(plan, [etcdQuorum]), etcdQuorum.name), [
                "cluster dev: etcd (stacked) has 4 members, an even count: it tolerates no more failures than 3 and a 2:2 split stops both halves. Fix: use 3 or 5 members",
                "cluster dev: etcd (stacked) has 4 members, 2 of them in zone rack-a: losing that zone loses quorum (at most 1 may fail). Fix: spread the members so that no zone holds more than 1",
            ]);
        });

        it("rejects an even count outside ha too", async () => {
            const plan = withFacts(plans.dev, (f) => Object.assign(f, { profile: "dev", etcd: { topology: "stacked", members: 2, zones: ["a", "b"] } }));
            assert.deepEqual(messages(await analyze(plan, [etcdQuorum]), etcdQuorum.name), [
                "cluster dev: etcd (stacked) has 2 members, an even count: it tolerates no more failures than 1 and a 1:1 split stops both halves. Fix: use 1 or 3 members",
            ]);
        });

        it("rejects external members of which two share a zone", async () => {
            const plan = withFacts(plans.externalEtcd, (f) => (f.etcd.zones = ["rack-a", "rack-a", "rack-c"]));
            assert.deepEqual(messages(await analyze(plan, [etcdQuorum]), etcdQuorum.name), [
                "cluster prod: etcd (external) has 3 members, 2 of them in zone rack-a: losing that zone loses quorum (at most 1 may fail). Fix: spread the members so that no zone holds more than 1",
            ]);
        });

        it("rejects a single member in ha, accepts five over three zones", async () => {
            const one = withFacts(plans.externalEtcd, (f) => (f.etcd = { topology: "external", members: 1, zones: ["rack-a"] }));
            assert.deepEqual(messages(await analyze(one, [etcdQuorum]), etcdQuorum.name), [
                "cluster prod: etcd (external) has 1 members: ha needs at least 3 so that one member may fail. Fix: use 3 or 5 members",
            ]);
            const five = withFacts(plans.externalEtcd, (f) => (f.etcd = { topology: "external", members: 5, zones: ["a", "b", "c", "a", "b"] }));
            assert.deepEqual(messages(await analyze(five, [etcdQuorum]), etcdQuorum.name), []);
        });
    });

    describe(endpointHealthCheck.name, () => {
        it("rejects an endpoint without a health check", async () => {
            const plan = withFacts(plans.dev, (f) => (f.endpoint = { kind: "loadBalancer", healthCheck: null }));
            assert.deepEqual(messages(await analyze(plan, [endpointHealthCheck]), endpointHealthCheck.name), [
                "cluster dev: the loadBalancer endpoint has no health check, so it keeps sending clients to a control plane that is down. " +
                    "Fix: configure a health check of /readyz on every control plane and record it in the cluster facts (endpoint.healthCheck)",
            ]);
        });

        it("rejects a direct endpoint in ha", async () => {
            const plan = withFacts(plans.dev, (f) => (f.endpoint = { kind: "direct", healthCheck: null }));
            assert.deepEqual(messages(await analyze(plan, [endpointHealthCheck]), endpointHealthCheck.name), [
                "cluster dev: the endpoint is direct (the first control plane), so losing that machine loses the API. Fix: use endpoint kind vip or loadBalancer",
            ]);
        });

        it("asks for trust in an external load balancer, given by config", async () => {
            const plan = withFacts(plans.dev, (f) => (f.endpoint = { kind: "external", healthCheck: null }));
            assert.deepEqual(messages(await analyze(plan, [endpointHealthCheck]), endpointHealthCheck.name), [
                "cluster dev: the external endpoint is your own load balancer, whose health check the cluster cannot show. " +
                    "Fix: make it health-check /readyz on every control plane, then set this policy's trustExternalEndpoint: true",
            ]);
            const trusted = await analyze(plan, [endpointHealthCheck], { [endpointHealthCheck.name]: { trustExternalEndpoint: true } });
            assert.deepEqual(trusted.violations, []);
        });

        it("accepts a health-checked load balancer", async () => {
            const plan = withFacts(plans.dev, (f) => (f.endpoint = { kind: "loadBalancer", healthCheck: "https /readyz" }));
            const o: Outcome = await analyze(plan, [endpointHealthCheck]);
            assert.deepEqual(o.violations, []);
        });
    });
});
