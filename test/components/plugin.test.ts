/**
 * The multi-language component package (plugin/): the schema the Pulumi CLI generates from it
 * (through the SDK's own ComponentProvider, as `pulumi package add` does), and the component
 * building the same cluster as the TypeScript stack, with config mistakes reported all at once.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { ROOT } from "../policy/plans";
import { merge, seedsCluster } from "../unit/fixtures";
import { isSecret, mock, resolve, settle } from "./harness";
import type { HaCluster as HaClusterT } from "../../plugin";

const PLUGIN = path.join(ROOT, "plugin");
const TYPE = "hacluster:index:HaCluster";

async function load(): Promise<typeof HaClusterT> {
    return ((await import("../../plugin")) as { HaCluster: typeof HaClusterT }).HaCluster;
}

describe("components: the multi-language package (plugin/)", function () {
    this.timeout(120_000);

    it("PulumiPlugin.yaml names the Node.js runtime and the package is called hacluster", async () => {
        const { parse } = await import("yaml");
        const fs = await import("node:fs");
        assert.deepEqual(parse(fs.readFileSync(path.join(PLUGIN, "PulumiPlugin.yaml"), "utf8")), { runtime: "nodejs" });
        const pkg = JSON.parse(fs.readFileSync(path.join(PLUGIN, "package.json"), "utf8"));
        assert.equal(pkg.name, "hacluster");
        assert.equal(pkg.main, "index.ts");
    });

    it("generates a schema with HaCluster: plain config inputs, a secret-capable SSH key, typed outputs, the doc comments", async () => {
        const HaCluster = await load();
        const provider = new ComponentProvider({ components: [HaCluster], name: "hacluster", dirname: PLUGIN });
        const schema = JSON.parse(await provider.getSchema());
        assert.equal(schema.name, "hacluster");
        assert.equal(schema.version, "0.1.0");
        const r = schema.resources[TYPE];
        assert.ok(r, Object.keys(schema.resources).join(", "));
        assert.equal(r.isComponent, true);
        assert.deepEqual(Object.keys(r.inputProperties).sort(), ["clusterJson", "family", "platform", "profile", "sshPrivateKey"]);
        assert.deepEqual([...r.requiredInputs].sort(), ["clusterJson", "profile"]);
        for (const k of ["profile", "platform", "family", "clusterJson"]) {
            assert.equal(r.inputProperties[k].type, "string", k);
            assert.equal(r.inputProperties[k].plain, true, `${k} is plain: the config is validated before any resource exists`);
        }
        assert.equal(r.inputProperties.sshPrivateKey.type, "string");
        assert.notEqual(r.inputProperties.sshPrivateKey.plain, true, "the key may be an output (a secret)");
        assert.match(r.inputProperties.clusterJson.description, /hacluster:cluster/);
        assert.deepEqual(Object.keys(r.properties).sort(), ["endpoint", "etcdBackupStore", "failureToleranceJson", "kubeconfig", "nodesJson"]);
        for (const k of Object.keys(r.properties)) assert.equal(r.properties[k].type, "string", k);
        assert.match(r.properties.kubeconfig.description, /secret/);
    });

    it("builds the dev stack's cluster under the component, with the same endpoint; kubeconfig and SSH key stay secret", async () => {
        const mocks = mock();
        const HaCluster = await load();
        const cluster = merge(seedsCluster(), { ssh: { agent: undefined, privateKeySecret: "sshKey" } });
        delete (cluster as { name?: string }).name;
        const c = new HaCluster("dev", { profile: "ha", platform: "onprem", clusterJson: JSON.stringify(cluster), sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n" });
        assert.equal((await resolve(c.endpoint)).value, "https://211.183.3.250:6443");
        const kubeconfig = await resolve(c.kubeconfig);
        assert.equal(kubeconfig.secret, true);
        const tolerance = JSON.parse((await resolve(c.failureToleranceJson)).value);
        assert.deepEqual([tolerance.zones, tolerance.etcdMembers, tolerance.lbHosts, tolerance.apiServers], [1, 1, 1, 1]);
        const nodes = JSON.parse((await resolve(c.nodesJson)).value) as { role: string }[];
        const roles = (role: string) => nodes.filter((n) => n.role === role).length;
        assert.deepEqual([roles("lb"), roles("control-plane"), roles("worker")], [2, 3, seedsCluster().workers.hosts.length]);
        assert.equal((await resolve(c.etcdBackupStore)).value, "", "on-prem: no store");
        await settle();
        const types = mocks.resources.map((r) => r.type);
        assert.equal(types.filter((t) => t === "hacluster:onprem:Cluster").length, 1);
        // Every SSH connection carries the key as a secret, never in plain text.
        const commands = mocks.resources.filter((r) => r.type === "command:remote:Command");
        assert.ok(commands.length > 20);
        for (const cmd of commands) {
            assert.ok(isSecret(cmd.inputs.connection) || isSecret(cmd.inputs.connection?.privateKey), `${cmd.name}: connection not secret`);
            assert.ok(!JSON.stringify(cmd.inputs.create ?? "").includes("OPENSSH"), cmd.name);
        }
    });

    it("reports every config mistake at once, with paths and fixes, before any resource of the cluster exists", async () => {
        const mocks = mock();
        const HaCluster = await load();
        const bad = merge(seedsCluster(), { kubernetes: { version: "latest", podSubnet: "211.183.0.0/16" }, ssh: { agent: undefined, privateKeySecret: "sshKey" } });
        let err: unknown;
        try {
            new HaCluster("dev", { profile: "ha", platform: "onprem", clusterJson: JSON.stringify(bad) });
        } catch (e) {
            err = e;
        }
        assert.ok(err instanceof pulumi.RunError, String(err));
        const message = (err as Error).message;
        assert.match(message, /cluster\.kubernetes\.version: .*"latest".*Fix: /);
        assert.match(message, /cluster\.kubernetes\.podSubnet: .*211\.183\.0\.0\/16.*Fix: /);
        assert.match(message, /sshPrivateKey: cluster\.ssh\.privateKeySecret is set but no key was passed\. Fix: pass the key as the sshPrivateKey input/);
        await settle();
        assert.deepEqual(mocks.resources.map((r) => r.type), [TYPE], "only the component itself was registered");
    });

    it("refuses clusterJson that is not a JSON object, saying what to pass", async () => {
        mock();
        const HaCluster = await load();
        for (const [json, text] of [["{", /is not JSON/], ["[1]", /must be a JSON object/], ["null", /must be a JSON object/]] as const) {
            assert.throws(() => new HaCluster("x", { profile: "dev", clusterJson: json }), (e: Error) => e instanceof pulumi.RunError && text.test(e.message) && /Fix: /.test(e.message), json);
        }
    });
});
