/**
 * Disaster drill on a real 3-member etcd: write data, take snapshots with the rendered snapshot
 * script, destroy the cluster (processes and data directories), restore every member with the
 * rendered restore script from one snapshot, start the members again: every key and value is
 * identical.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderRestoreScript, renderSnapshotScript } from "../../components/render/backup";
import { EtcdLab } from "./etcd-lab";

const MEMBERS = [
    { name: "etcd1", address: "127.0.0.21" },
    { name: "etcd2", address: "127.0.0.22" },
    { name: "etcd3", address: "127.0.0.23" },
];

function bash(script: string, args: string[], env: Record<string, string>): { status: number | null; out: string } {
    const r = spawnSync("bash", ["-s", "--", ...args], { input: script, encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH, ...env } });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("integration: etcd snapshot and restore from the rendered scripts", function () {
    this.timeout(180_000);
    let lab: EtcdLab;
    let backups: string;
    const written = new Map<string, string>();

    before(async () => {
        lab = new EtcdLab(MEMBERS, "hacluster-restore-");
        backups = lab.file("backups");
        lab.start();
        await lab.waitHealthy();
    });
    after(async function () {
        this.timeout(30_000);
        if (lab) await lab.destroy();
    });

    const snapshotScript = () =>
        renderSnapshotScript({
            endpoint: `https://${MEMBERS[0].address}:2379`,
            tls: { caFile: lab.file("ca.crt"), certFile: lab.file("etcdctl.crt"), keyFile: lab.file("etcdctl.key") },
            keep: 2,
        });

    it("the scripts pass shellcheck", () => {
        for (const s of [snapshotScript(), renderRestoreScript({ topology: "external" }), renderRestoreScript({ topology: "stacked", stacked: { name: "m1", peerUrl: "https://10.0.0.1:2380", initialCluster: "m1=https://10.0.0.1:2380", token: "t" } })]) {
            const r = spawnSync("shellcheck", ["--shell=bash", "-"], { input: s, encoding: "utf8" });
            assert.equal(r.status, 0, r.stdout);
        }
    });

    it("snapshots a cluster holding data, verifies each snapshot and keeps the newest two", async () => {
        for (let i = 0; i < 200; i++) {
            const key = `/hacluster/restore/${String(i).padStart(3, "0")}`;
            const value = `value-${i}-${"x".repeat(i % 17)}`;
            const put = await lab.etcdctl([`--endpoints=${lab.endpoints[i % 3]}`, "put", key, value]);
            assert.equal(put.code, 0, put.stderr);
            written.set(key, value);
        }
        for (let n = 0; n < 3; n++) {
            const r = bash(snapshotScript(), [], { HACLUSTER_BACKUP_DIR: backups });
            assert.equal(r.status, 0, r.out);
            assert.match(r.out, /hacluster: etcd snapshot .*etcd-\d{8}T\d{6}Z\.db/);
            if (n < 2) await new Promise((res) => setTimeout(res, 1100)); // distinct timestamps
        }
        const snaps = fs.readdirSync(backups).filter((f) => f.endsWith(".db"));
        assert.equal(snaps.length, 2, `retention keeps 2: ${snaps.join(", ")}`);
        assert.equal(fs.statSync(path.join(backups, snaps[0])).mode & 0o077, 0, "snapshots are readable by root only");
    });

    it("after the cluster is destroyed, every member restores from the newest snapshot and all data is back", async () => {
        const newest = fs.readdirSync(backups).filter((f) => f.endsWith(".db")).sort().pop()!;
        await lab.stop();
        for (const m of MEMBERS) fs.rmSync(lab.dataDir(m.name), { recursive: true, force: true });
        for (const m of MEMBERS) {
            const r = bash(renderRestoreScript({ topology: "external" }), [path.join(backups, newest)], {
                HACLUSTER_ETCD_ENV: lab.envFile(m.name),
                HACLUSTER_NO_SERVICE: "1",
            });
            assert.equal(r.status, 0, r.out);
            assert.ok(fs.existsSync(path.join(lab.dataDir(m.name), "member")), `${m.name} has restored data`);
        }
        lab.start();
        await lab.waitHealthy(45_000);
        const got = await lab.etcdctl([`--endpoints=${lab.endpoints[2]}`, "get", "/hacluster/restore/", "--prefix", "-w", "json"], 20_000);
        assert.equal(got.code, 0, got.stderr);
        const kvs = (JSON.parse(got.stdout).kvs ?? []) as { key: string; value: string }[];
        const restored = new Map(kvs.map((kv) => [Buffer.from(kv.key, "base64").toString(), Buffer.from(kv.value, "base64").toString()]));
        assert.equal(restored.size, written.size);
        assert.deepEqual([...restored.entries()].sort(), [...written.entries()].sort());
        const list = await lab.etcdctl([`--endpoints=${lab.endpoints[0]}`, "member", "list"]);
        assert.equal(list.stdout.trim().split("\n").length, 3, list.stdout);
    });

    it("refuses to restore from a missing snapshot", () => {
        const r = bash(renderRestoreScript({ topology: "external" }), [lab.file("nope.db")], { HACLUSTER_ETCD_ENV: lab.envFile("etcd1"), HACLUSTER_NO_SERVICE: "1" });
        assert.notEqual(r.status, 0);
        assert.match(r.out, /no snapshot at/);
    });
});
