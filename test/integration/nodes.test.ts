/**
 * Every file the offline synth writes for the shipped on-prem stacks, judged by the real tool
 * that reads it: bash and shellcheck for scripts, haproxy -c, keepalived's config test inside a
 * network namespace that has the configured interface, cloud-init schema for user-data.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needTool, synthStack } from "../synth-cli";

const STACKS = ["dev", "onprem-external-etcd"];

const need = needTool;

function synth(stack: string, out: string): void {
    synthStack(stack, out);
}

function files(dir: string, pred: (name: string) => boolean): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name), pred) : pred(e.name) ? [join(dir, e.name)] : [],
    );
}

describe("integration: every synthesized node file passes its real tool", function () {
    this.timeout(300_000);
    const tmp = mkdtempSync(join(tmpdir(), "hacluster-nodes-"));
    const ns = `hac-nodes-${process.pid}`;

    before(() => {
        for (const [tool, pkg] of [["shellcheck", "shellcheck"], ["haproxy", "haproxy"], ["keepalived", "keepalived"], ["ip", "iproute2"]]) need(tool, pkg);
        for (const s of STACKS) synth(s, join(tmp, s));
    });
    after(() => {
        spawnSync("ip", ["netns", "del", ns]);
        rmSync(tmp, { recursive: true, force: true });
    });

    it("wrote node directories for every stack", () => {
        for (const s of STACKS) assert.ok(readdirSync(join(tmp, s, "nodes")).length >= 8, s);
    });

    it("every node script parses (bash -n) and passes shellcheck with no findings", () => {
        const scripts = files(tmp, () => true).filter((f) => f.endsWith(".sh") || readFileSync(f, "utf8").startsWith("#!/usr/bin/env bash"));
        assert.ok(scripts.length >= 20, `only ${scripts.length} scripts`);
        for (const f of scripts) {
            execFileSync("bash", ["-n", f]);
            const r = spawnSync("shellcheck", ["--shell=bash", f], { encoding: "utf8" });
            assert.equal(r.status, 0, `${f}:\n${r.stdout}`);
        }
    });

    it("no node script pipes a command into grep -q: under pipefail grep's early exit kills the writer (SIGPIPE) and fails the check at random", () => {
        // Found in the lab: `etcdctl version | grep -q ...` failed on one control plane of three.
        const scripts = files(tmp, () => true).filter((f) => readFileSync(f, "utf8").startsWith("#!/usr/bin/env bash"));
        const bad = scripts.flatMap((f) => readFileSync(f, "utf8").split("\n").filter((l) => /\|\s*grep\s+-[a-zA-Z]*q/.test(l)).map((l) => `${f}: ${l.trim()}`));
        assert.deepEqual(bad, []);
    });

    it("every haproxy.cfg passes haproxy -c", () => {
        const cfgs = files(tmp, (n) => n === "haproxy.cfg");
        assert.equal(cfgs.length, 4);
        for (const f of cfgs) {
            // The rendered file names Debian's runtime paths; only those are redirected for the check.
            const text = readFileSync(f, "utf8").replace(/chroot \/var\/lib\/haproxy/, `chroot ${tmp}`).replace(/\/run\/haproxy\/admin\.sock/, join(tmp, "admin.sock"));
            const local = join(tmp, "check-haproxy.cfg");
            writeFileSync(local, text);
            const r = spawnSync("haproxy", ["-c", "-f", local], { encoding: "utf8" });
            assert.equal(r.status, 0, `${f}:\n${r.stdout}${r.stderr}`);
        }
    });

    it("every keepalived.conf passes keepalived's config test in a namespace with its interface", () => {
        if (process.getuid?.() !== 0) assert.fail("keepalived's config test needs root (network namespaces)");
        const confs = files(tmp, (n) => n === "keepalived.conf");
        assert.equal(confs.length, 4);
        execFileSync("ip", ["netns", "add", ns]);
        for (const f of confs) {
            const text = readFileSync(f, "utf8");
            const iface = /^\s*interface (\S+)/m.exec(text)![1];
            spawnSync("ip", ["-n", ns, "link", "del", iface]);
            execFileSync("ip", ["-n", ns, "link", "add", iface, "type", "veth", "peer", "name", `${iface.slice(0, 10)}-p`]);
            // The auth include and the check script are delivered beside the config on a real host.
            const dir = mkdtempSync(join(tmp, "ka-"));
            writeFileSync(join(dir, "vrrp-auth.conf"), "auth_pass Abc12345\n");
            writeFileSync(join(dir, "check_apiserver.sh"), readFileSync(join(f, "..", "check_apiserver.sh")), { mode: 0o755 });
            const local = join(dir, "keepalived.conf");
            writeFileSync(local, text.replace(/\/etc\/keepalived\//g, `${dir}/`));
            const r = spawnSync("ip", ["netns", "exec", ns, "keepalived", "-t", "-f", local], { encoding: "utf8", timeout: 20_000 });
            assert.equal(r.status, 0, `${f}:\n${r.stdout}${r.stderr}`);
        }
    });

    it("external etcd members get env files naming every member", () => {
        const envs = files(join(tmp, "onprem-external-etcd"), (n) => n === "etcd.env");
        assert.equal(envs.length, 3);
        for (const f of envs) {
            assert.match(readFileSync(f, "utf8"), /ETCD_INITIAL_CLUSTER=etcd1=https:\/\/10\.20\.0\.21:2380,etcd2=https:\/\/10\.20\.0\.22:2380,etcd3=https:\/\/10\.20\.0\.23:2380/);
        }
    });

    it("kubeadm configs hold no token, only the placeholder", () => {
        for (const f of files(tmp, (n) => n === "kubeadm.yaml")) {
            const text = readFileSync(f, "utf8");
            assert.ok(text.includes("@@BOOTSTRAP_TOKEN@@"), f);
            assert.doesNotMatch(text, /token: "?[a-z0-9]{6}\.[a-z0-9]{16}/, f);
        }
        assert.ok(existsSync(join(tmp, "dev", "nodes", "master1", "kubeadm.yaml")));
    });
});
