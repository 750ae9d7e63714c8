/**
 * The real program's `gcp` stack synths offline (CLI in a child process): the plan honours the
 * contract, every machine and the pool get their node files, no secret is written anywhere, and
 * 1000 workers register exactly the resources 3 workers do.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mockRandomString } from "../../synth/mocks";
import type { Plan } from "../../synth/synth";
import { allFiles, synthStack } from "../synth-cli";

/** This stack's synth, asserting success. */
const synth = (out: string, ...sets: string[]) => synthStack("gcp", out, sets);

describe("synth: the gcp stack of the real program", function () {
    this.timeout(180_000);
    let tmp: string;
    let out: string;
    let plan: Plan;
    let stdout: string;
    let large: Plan;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-gcp-"));
        out = path.join(tmp, "gcp");
        ({ plan, stdout } = synth(out));
        large = synth(path.join(tmp, "gcp-1000"), "cluster.workers.count=1000").plan;
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const byName = (p: Plan) => new Map(p.resources.map((r) => [r.name, r]));

    it("writes a plan in the contract's shape, every resource under the cluster component", () => {
        assert.deepEqual([plan.project, plan.stack], ["hacluster", "gcp"]);
        const names = new Set(plan.resources.map((r) => r.name));
        for (const r of plan.resources) {
            assert.deepEqual(Object.keys(r), ["type", "name", "parent", "dependsOn", "inputs"]);
            assert.ok(r.parent === null ? r.type === "hacluster:gcp:Cluster" : names.has(r.parent), `${r.name}: parent ${r.parent}`);
            for (const d of r.dependsOn) assert.ok(names.has(d), `${r.name}: dependency ${d}`);
        }
        assert.match(stdout, /^hacluster\/gcp: \d+ resources, node files for 4 nodes$/m);
        assert.match(stdout, /Endpoint: https:\/\/10\.10\.0\.5:6443/);
        assert.ok(stdout.split("\n").length < 42, stdout);
    });

    it("orders boots after the secret, its reader and NAT; the pool after the load balancer", () => {
        const rs = byName(plan);
        for (const cp of ["gcp-cp-1", "gcp-cp-2", "gcp-cp-3"]) {
            const deps = rs.get(cp)!.dependsOn;
            for (const d of ["gcp-secret-control-plane-value", "gcp-secret-control-plane-reader", "gcp-nat", `${cp}-ip`]) assert.ok(deps.includes(d), `${cp} after ${d}`);
        }
        const mig = rs.get("gcp-workers")!.dependsOn;
        for (const d of ["gcp-secret-worker-value", "gcp-secret-worker-reader", "gcp-nat", "gcp-api", "gcp-workers-template"]) assert.ok(mig.includes(d), `gcp-workers after ${d}`);
        // Every control plane is a backend of the load balancer, via its zone's group.
        const groups = plan.resources.filter((r) => r.type === "gcp:compute/instanceGroup:InstanceGroup");
        assert.deepEqual(groups.flatMap((g) => g.dependsOn.filter((d) => d.startsWith("gcp-cp-"))).sort(), ["gcp-cp-1", "gcp-cp-2", "gcp-cp-3"]);
    });

    it("writes node files for each control plane and one entry for the pool", () => {
        const dirs = fs.readdirSync(path.join(out, "nodes")).sort();
        assert.deepEqual(dirs, ["cp-1", "cp-2", "cp-3", "workers"]);
        for (const d of dirs) {
            const files = fs.readdirSync(path.join(out, "nodes", d));
            for (const f of ["user-data", "kubeadm.yaml", "config.toml"]) assert.ok(files.includes(f), `${d}: ${files.join(", ")}`);
            const ud = fs.readFileSync(path.join(out, "nodes", d, "user-data"), "utf8");
            assert.match(ud, /^#cloud-config\n/);
            assert.match(ud, /secretmanager\.googleapis\.com\/v1\/projects\/hacluster-example\/secrets\/hacluster-gcp-(control-plane|worker)\/versions\/latest:access/);
        }
        assert.match(fs.readFileSync(path.join(out, "nodes", "cp-1", "kubeadm.yaml"), "utf8"), /kind: InitConfiguration/);
        assert.match(fs.readFileSync(path.join(out, "nodes", "workers", "kubeadm.yaml"), "utf8"), /kind: JoinConfiguration/);
    });

    it("etcd snapshots: the bucket and its one writer in the plan; control planes upload there after it exists, the pool does not", () => {
        const rs = byName(plan);
        const bucket = rs.get("gcp-etcd-backups")!;
        assert.equal(bucket.type, "gcp:storage/bucket:Bucket");
        assert.deepEqual(
            [bucket.inputs.name, bucket.inputs.uniformBucketLevelAccess, bucket.inputs.publicAccessPrevention, bucket.inputs.forceDestroy],
            ["gcp-etcd-backups-hacluster-example", true, "enforced", false],
        );
        const writers = plan.resources.filter((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember");
        assert.deepEqual(
            writers.map((w) => [w.name, w.inputs.bucket, w.inputs.role, w.inputs.member]),
            [["gcp-etcd-backups-writer-control-plane", "gcp-etcd-backups-hacluster-example", "roles/storage.objectCreator", "serviceAccount:gcp-cp@hacluster-example.iam.gserviceaccount.com"]],
        );
        for (const cp of ["cp-1", "cp-2", "cp-3"]) {
            const snapshot = fs.readFileSync(path.join(out, "nodes", cp, "hacluster-etcd-snapshot"), "utf8");
            assert.ok(snapshot.includes(`/upload/storage/v1/b/gcp-etcd-backups-hacluster-example/o?uploadType=media&name=${cp}%2F`), `${cp} uploads its snapshots`);
            for (const d of ["gcp-etcd-backups", "gcp-etcd-backups-writer-control-plane"]) assert.ok(rs.get(`gcp-${cp}`)!.dependsOn.includes(d), `gcp-${cp} after ${d}`);
        }
        const workers = path.join(out, "nodes", "workers");
        assert.ok(!fs.existsSync(path.join(workers, "hacluster-etcd-snapshot")));
        assert.ok(!fs.readFileSync(path.join(workers, "user-data"), "utf8").includes("etcd-backups"), "workers know nothing of the bucket");
    });

    it("writes no secret: no private key, no generated token or password; secret values as [secret]", () => {
        const generated = plan.resources
            .filter((r) => r.type === "random:index/randomPassword:RandomPassword" || r.type === "random:index/randomString:RandomString")
            .map((r) => mockRandomString(r.name, r.inputs));
        assert.ok(generated.length >= 2);
        for (const f of allFiles(out)) {
            const c = fs.readFileSync(f, "utf8");
            assert.doesNotMatch(c, /PRIVATE KEY-----/, f);
            for (const p of generated) assert.ok(!c.includes(p), `${f} holds a generated secret`);
        }
        for (const r of plan.resources.filter((x) => x.type === "gcp:secretmanager/secretVersion:SecretVersion")) assert.equal(r.inputs.secretData, "[secret]", r.name);
        assert.equal(plan.outputs.kubeconfig, "[secret]");
        assert.match(String(plan.outputs.etcdBackupStore), /^gs:\/\/[a-z0-9][-a-z0-9]+$/);
    });

    it("registers the same resources for 1000 workers as for 3: only the group's size differs", () => {
        assert.equal(large.resources.length, plan.resources.length);
        assert.deepEqual(
            large.resources.map((r) => `${r.type} ${r.name}`).sort(),
            plan.resources.map((r) => `${r.type} ${r.name}`).sort(),
        );
        const small = byName(plan);
        const changed = large.resources.filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(small.get(r.name)!.inputs)).map((r) => r.name);
        assert.deepEqual(changed, ["gcp-workers"]);
        assert.equal(byName(large).get("gcp-workers")!.inputs.targetSize, 1000);
        const nodes = large.outputs.nodes as { name: string; count?: number }[];
        assert.equal(nodes.find((x) => x.name === "workers")!.count, 1000);
    });
});
