/**
 * The shipped `aws` stack synths offline (CLI in a child process, no AWS account, no lookups):
 * the plan's resources, one node directory per machine and per pool, no secret anywhere it
 * writes, and the same resources for 1000 workers as for 3.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mockRandomString } from "../../synth/mocks";
import { allFiles, countByType, synthStack } from "../synth-cli";

/** This stack's synth, asserting success. */
const synth = (out: string, ...sets: string[]) => synthStack("aws", out, sets);
const byType = countByType;

describe("synth: the aws stack of the real program", function () {
    this.timeout(180_000);
    let tmp: string;
    let out: string;
    let three: ReturnType<typeof synth>;
    let thousand: ReturnType<typeof synth>;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-aws-"));
        out = path.join(tmp, "aws");
        three = synth(out);
        thousand = synth(path.join(tmp, "aws-1000"), "cluster.workers.count=1000");
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("plans the cluster on EC2: network, NLB endpoint, three control planes, one scaling group", () => {
        const t = byType(three.plan);
        assert.equal(t["hacluster:aws:Cluster"], 1);
        assert.equal(t["aws:ec2/instance:Instance"], 3);
        assert.equal(t["aws:autoscaling/group:Group"], 1);
        assert.equal(t["aws:ec2/launchTemplate:LaunchTemplate"], 1);
        assert.equal(t["aws:lb/loadBalancer:LoadBalancer"], 1);
        assert.equal(t["aws:lb/targetGroupAttachment:TargetGroupAttachment"], 3);
        assert.equal(t["aws:ec2/natGateway:NatGateway"], 3);
        assert.equal(t["aws:route53/zone:Zone"], 1);
        assert.equal(t["aws:secretsmanager/secret:Secret"], 2);
        assert.equal(t["aws:s3/bucket:Bucket"], 1, "one bucket for the etcd snapshots");
        assert.equal(three.plan.resources.length, 85, "resources of the shipped stack (README: Measured figures)");
        assert.ok(!Object.keys(t).some((k) => k.startsWith("command:")), "no SSH steps on a cloud");
        const names = new Set(three.plan.resources.map((r) => r.name));
        for (const r of three.plan.resources) {
            assert.deepEqual(Object.keys(r), ["type", "name", "parent", "dependsOn", "inputs"]);
            assert.ok(r.parent === null || names.has(r.parent), `${r.name}: parent ${r.parent}`);
            for (const d of r.dependsOn) assert.ok(names.has(d), `${r.name}: dependency ${d}`);
        }
        const asg = three.plan.resources.find((r) => r.type === "aws:autoscaling/group:Group")!;
        assert.ok(asg.dependsOn.includes("aws-ha-cp-1") && asg.dependsOn.includes("aws-ha-secret-worker-value"), "workers boot after their secret and the control planes");
        const cp1 = three.plan.resources.find((r) => r.name === "aws-ha-cp-1")!;
        assert.ok(cp1.dependsOn.includes("aws-ha-secret-control-plane-value") && cp1.dependsOn.includes("aws-ha-role-control-plane-read-secret"));
        assert.ok(cp1.dependsOn.includes("aws-ha-role-control-plane-put-etcd-snapshots"), "control planes boot allowed to upload their snapshots");
        assert.ok(!asg.dependsOn.some((d) => d.includes("put-etcd-snapshots")));
        assert.match(three.stdout, /control-plane\s+1\s+1\s+1\s+3/);
        assert.match(three.stdout, /worker pool workers: 3 over eu-west-1a, eu-west-1b, eu-west-1c/);
    });

    it("writes user-data and its files for every control plane and one entry for the pool", () => {
        const dirs = fs.readdirSync(path.join(out, "nodes")).sort();
        assert.deepEqual(dirs, ["cp-1", "cp-2", "cp-3", "workers"]);
        for (const d of dirs) {
            const files = fs.readdirSync(path.join(out, "nodes", d));
            for (const f of ["user-data", "kubeadm.yaml", "config.toml"]) assert.ok(files.includes(f), `${d}: ${files.join(", ")}`);
            const ud = fs.readFileSync(path.join(out, "nodes", d, "user-data"), "utf8");
            assert.ok(ud.startsWith("#cloud-config\n"), `${d}: readable cloud-config`);
            assert.match(ud, /secretsmanager get-secret-value --region eu-west-1/);
        }
        assert.match(fs.readFileSync(path.join(out, "nodes", "cp-1", "kubeadm.yaml"), "utf8"), /kind: InitConfiguration/);
        // Every control plane (stacked etcd) uploads its snapshots under its own name; the pool takes none.
        for (const cp of ["cp-1", "cp-2", "cp-3"]) {
            assert.match(fs.readFileSync(path.join(out, "nodes", cp, "hacluster-etcd-snapshot"), "utf8"), new RegExp(`s3 cp .* 's3://aws-ha-etcd-backups-id/${cp}/'`));
        }
        assert.ok(!fs.existsSync(path.join(out, "nodes", "workers", "hacluster-etcd-snapshot")));
        assert.doesNotMatch(fs.readFileSync(path.join(out, "nodes", "workers", "user-data"), "utf8"), /etcd-backups/);
        assert.match(fs.readFileSync(path.join(out, "nodes", "workers", "kubeadm.yaml"), "utf8"), /kind: JoinConfiguration/);
        const nodes = three.plan.outputs.nodes as { name: string; count?: number }[];
        assert.deepEqual(nodes.map((n) => n.name), dirs);
    });

    it("writes no secret: no private key, no generated password, secret values as [secret]", () => {
        const passwords = three.plan.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => mockRandomString(r.name, r.inputs));
        assert.ok(passwords.length > 0);
        for (const f of allFiles(out)) {
            const c = fs.readFileSync(f, "utf8");
            assert.doesNotMatch(c, /PRIVATE KEY-----/, f);
            for (const p of passwords) assert.ok(!c.includes(p), `${f} holds a generated password`);
        }
        assert.equal(three.plan.outputs.kubeconfig, "[secret]");
        // Where snapshots go: a plain URL an operator's tools take (the bucket's name is no secret).
        assert.match(String(three.plan.outputs.etcdBackupStore), /^s3:\/\/[a-z0-9][-a-z0-9.]+$/);
        for (const v of three.plan.resources.filter((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion")) assert.equal(v.inputs.secretString, "[secret]");
    });

    it("registers exactly the same resources for 1000 workers as for 3; only the group's size differs", () => {
        assert.equal(thousand.plan.resources.length, three.plan.resources.length);
        assert.deepEqual(thousand.plan.resources.map((r) => r.name).sort(), three.plan.resources.map((r) => r.name).sort());
        const before = new Map(three.plan.resources.map((r) => [r.name, JSON.stringify(r.inputs)]));
        const changed = thousand.plan.resources.filter((r) => before.get(r.name) !== JSON.stringify(r.inputs)).map((r) => r.name);
        assert.deepEqual(changed, ["aws-ha-workers"]);
        assert.match(thousand.stdout, /worker pool workers: 1000 over eu-west-1a, eu-west-1b, eu-west-1c \(one scaling group\)/);
        // Modest on a 2-core machine (child process start and ts-node included).
        assert.ok(thousand.ms < 60_000, `synth took ${thousand.ms} ms`);
    });
});
