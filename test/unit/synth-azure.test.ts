/**
 * The shipped `azure` stack synths offline (CLI in a child process, no Azure account, no
 * function calls): the plan's resources, one node directory per machine and per pool (the node
 * script found inside base64 `customData`), no secret anywhere it writes, and the same resources
 * for 1000 workers as for 3.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mockRandomString } from "../../synth/mocks";
import { allFiles, countByType, synthStack } from "../synth-cli";

/** This stack's synth, asserting success. */
const synth = (out: string, ...sets: string[]) => synthStack("azure", out, sets);
const byType = countByType;

describe("synth: the azure stack of the real program", function () {
    this.timeout(180_000);
    let tmp: string;
    let out: string;
    let three: ReturnType<typeof synth>;
    let thousand: ReturnType<typeof synth>;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-azure-"));
        out = path.join(tmp, "azure");
        three = synth(out);
        thousand = synth(path.join(tmp, "azure-1000"), "cluster.workers.count=1000");
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("plans the cluster on Azure: network, internal LB endpoint, vault, three control-plane VMs, one scale set", () => {
        const t = byType(three.plan);
        const expected: Record<string, number> = {
            "hacluster:azure:Cluster": 1,
            "azure-native:resources:ResourceGroup": 1,
            "azure-native:network:VirtualNetwork": 1,
            "azure-native:network:Subnet": 1,
            "azure-native:network:NatGateway": 1,
            "azure-native:network:PublicIPAddress": 1,
            "azure-native:network:NetworkSecurityGroup": 1,
            "azure-native:network:ApplicationSecurityGroup": 2,
            "azure-native:network:LoadBalancer": 1,
            "azure-native:network:NetworkInterface": 3,
            "azure-native:compute:VirtualMachine": 3,
            "azure-native:compute:VirtualMachineScaleSet": 1,
            "azure-native:keyvault:Vault": 1,
            "azure-native:keyvault:Secret": 2,
            "azure-native:managedidentity:UserAssignedIdentity": 2,
            // Two Key Vault readers, the control planes' etcd backup writer.
            "azure-native:authorization:RoleAssignment": 3,
            "azure-native:storage:StorageAccount": 1,
            "azure-native:storage:BlobServiceProperties": 1,
            "azure-native:storage:BlobContainer": 1,
            "azure-native:storage:ManagementPolicy": 1,
        };
        for (const [type, count] of Object.entries(expected)) assert.equal(t[type], count, type);
        assert.equal(three.plan.resources.filter((r) => r.type.startsWith("azure-native:")).length, 28, "azure-native resources");
        const names = new Set(three.plan.resources.map((r) => r.name));
        for (const r of three.plan.resources) {
            assert.deepEqual(Object.keys(r), ["type", "name", "parent", "dependsOn", "inputs"]);
            assert.ok(r.parent === null || names.has(r.parent), `${r.name}: parent ${r.parent}`);
            for (const d of r.dependsOn) assert.ok(names.has(d), `${r.name}: dependency ${d}`);
            if (r.type.startsWith("azure-native:")) assert.equal(r.parent, "azure", `${r.name} is a child of the cluster component`);
        }
        // Machines boot after what they need: their secret and its reader, egress, the endpoint.
        const cp2 = three.plan.resources.find((r) => r.name === "azure-cp-2")!;
        for (const d of ["azure-secret-control-plane", "azure-secret-control-plane-reader", "azure-etcd-backups-control-plane-writer", "azure-nat", "azure-api-lb", "azure-cp-2-nic"]) {
            assert.ok(cp2.dependsOn.includes(d), d);
        }
        // Workers hold no etcd member: they neither wait for nor get the backup store.
        const pool = three.plan.resources.find((r) => r.name === "azure-pool-workers")!;
        assert.ok(!pool.dependsOn.some((d) => d.startsWith("azure-etcd-backups")), pool.dependsOn.join(", "));
        assert.ok(three.stdout.split("\n").length < 42, three.stdout);
        assert.match(three.stdout, /Endpoint: https:\/\/10\.20\.0\.5:6443/);
    });

    it("writes node files for every control plane and the pool, found in base64 customData", () => {
        const dirs = fs.readdirSync(path.join(out, "nodes")).sort();
        assert.deepEqual(dirs, ["cp-1", "cp-2", "cp-3", "workers"]);
        for (const d of dirs) {
            const files = fs.readdirSync(path.join(out, "nodes", d));
            for (const f of ["user-data", "kubeadm.yaml", "config.toml"]) assert.ok(files.includes(f), `${d}: ${files.join(", ")}`);
            const userData = fs.readFileSync(path.join(out, "nodes", d, "user-data"), "utf8");
            assert.match(userData, /^#cloud-config\n/);
            assert.ok(userData.includes("hacluster_fetch_secrets"), `${d} reads its secrets from Key Vault`);
        }
        const vm = three.plan.resources.find((r) => r.name === "azure-cp-1")!;
        const customData = (vm.inputs.osProfile as { customData: string }).customData;
        assert.match(customData, /^[A-Za-z0-9+/]+=*$/, "customData is base64");
        assert.ok(Buffer.from(customData, "base64").toString("utf8").startsWith("#cloud-config\n"));
        assert.match(fs.readFileSync(path.join(out, "nodes", "cp-1", "kubeadm.yaml"), "utf8"), /kind: InitConfiguration/);
        assert.match(fs.readFileSync(path.join(out, "nodes", "workers", "kubeadm.yaml"), "utf8"), /kind: JoinConfiguration/);
        // etcd snapshots: each control plane's snapshot script uploads to the stack's container under its own name; the pool has none.
        const account = String(three.plan.resources.find((r) => r.type === "azure-native:storage:StorageAccount")!.inputs.accountName);
        for (const cp of ["cp-1", "cp-2", "cp-3"]) {
            const snapshot = fs.readFileSync(path.join(out, "nodes", cp, "hacluster-etcd-snapshot"), "utf8");
            assert.ok(snapshot.includes(`'https://${account}.blob.core.windows.net/etcd-snapshots/${cp}/'"$(basename "$1")"`), `${cp}: ${snapshot}`);
        }
        assert.ok(!fs.readdirSync(path.join(out, "nodes", "workers")).includes("hacluster-etcd-snapshot"));
        assert.ok(!fs.readFileSync(path.join(out, "nodes", "workers", "user-data"), "utf8").includes(account));
    });

    it("writes no secret: no private key, no generated value, Key Vault values and the kubeconfig as [secret]", () => {
        const generated = three.plan.resources
            .filter((r) => r.type === "random:index/randomPassword:RandomPassword" || r.type === "random:index/randomString:RandomString")
            .map((r) => mockRandomString(r.name, r.inputs));
        assert.ok(generated.length > 0);
        for (const f of allFiles(out)) {
            const c = fs.readFileSync(f, "utf8");
            assert.doesNotMatch(c, /PRIVATE KEY-----/, f);
            for (const p of generated) assert.ok(!c.includes(p), `${f} holds a generated secret value`);
        }
        for (const s of three.plan.resources.filter((r) => r.type === "azure-native:keyvault:Secret")) {
            assert.equal((s.inputs.properties as { value: unknown }).value, "[secret]", s.name);
        }
        assert.equal(three.plan.outputs.kubeconfig, "[secret]");
        const account = String(three.plan.resources.find((r) => r.type === "azure-native:storage:StorageAccount")!.inputs.accountName);
        assert.equal(three.plan.outputs.etcdBackupStore, `https://${account}.blob.core.windows.net/etcd-snapshots`);
    });

    it("1000 workers: the same resources as 3; only the scale set's capacity differs", () => {
        const a = three.plan.resources;
        const b = thousand.plan.resources;
        assert.equal(b.length, a.length);
        assert.deepEqual(b.map((r) => `${r.type} ${r.name}`).sort(), a.map((r) => `${r.type} ${r.name}`).sort());
        const changed = b.filter((r) => JSON.stringify(r) !== JSON.stringify(a.find((x) => x.name === r.name))).map((r) => r.name);
        assert.deepEqual(changed, ["azure-pool-workers"]);
        const pool = b.find((r) => r.name === "azure-pool-workers")!;
        assert.equal((pool.inputs.sku as { capacity: number }).capacity, 1000);
        assert.match(thousand.stdout, /worker[^\n]*1000/);
        assert.ok(thousand.ms < 60_000, `synth with 1000 workers took ${thousand.ms} ms`);
    });
});
