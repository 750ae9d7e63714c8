/**
 * The synth end to end against test/fixtures/program: the CLI in child processes (the Pulumi
 * runtime is a process-wide singleton), plus one in-process run of the library for comparison.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { mockRandomString } from "../../synth/mocks";
import { collectNodeFiles, isConfigError, planJson, runSynth, type Plan } from "../../synth/synth";
import { renderScript } from "../../components/render/script";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURE = path.join(__dirname, "..", "fixtures", "program");

interface CliRun {
    status: number | null;
    stdout: string;
    stderr: string;
}

function runCli(args: string[]): CliRun {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "synth", "cli.ts"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function allFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("synth: fixture program through the CLI", function () {
    this.timeout(120_000);
    let tmp: string;
    let out: string;
    let run: CliRun;
    let plan: Plan;
    const byName = (n: string) => {
        const r = plan.resources.find((x) => x.name === n);
        assert.ok(r, `resource ${n} in plan`);
        return r;
    };

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-fixture-"));
        out = path.join(tmp, "dev");
        run = runCli(["--stack", "dev", "--project", FIXTURE, "--out", out]);
        assert.equal(run.status, 0, run.stderr);
        plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("writes plan.json in the contract's shape, 2-space indented with a trailing newline", () => {
        const text = fs.readFileSync(path.join(out, "plan.json"), "utf8");
        assert.equal(text, planJson(plan));
        assert.deepEqual(Object.keys(plan), ["project", "stack", "resources", "outputs"]);
        assert.equal(plan.project, "hacluster");
        assert.equal(plan.stack, "dev");
        for (const r of plan.resources) assert.deepEqual(Object.keys(r), ["type", "name", "parent", "dependsOn", "inputs"]);
        assert.ok(!plan.resources.some((r) => r.type === "pulumi:pulumi:Stack"), "the implicit stack is omitted");
        assert.equal(plan.resources.length, 23);
        assert.equal(plan.resources[0].name, "fixture", "registration order: the root component first");
    });

    it("records parents by name (null at the top)", () => {
        assert.equal(byName("fixture").parent, null);
        assert.equal(byName("fixture-pki").parent, "fixture");
        assert.equal(byName("ca-key").parent, "fixture-pki");
        assert.equal(byName("cp-1-join").parent, "fixture");
    });

    it("records dependsOn: explicit and from inputs, names, sorted, unique", () => {
        assert.deepEqual(byName("ca").dependsOn, ["ca-key"]); // from privateKeyPem
        assert.deepEqual(byName("lb-1-bootstrap").dependsOn, ["lb-1-secrets"]); // explicit only
        assert.deepEqual(byName("cp-2-join").dependsOn, ["ca", "cp-1-join", "cp-2-secrets", "token-id"]); // both
        assert.deepEqual(byName("pool-a").dependsOn, ["ssh-host-key"]);
        assert.deepEqual(byName("cp-1-prepare").dependsOn, []);
    });

    it("replaces secrets at any depth by [secret] and keeps plain inputs", () => {
        assert.equal(byName("lb-1-secrets").inputs.stdin, "[secret]"); // secret by derivation (password output)
        assert.equal(byName("cp-1-secrets").inputs.stdin, "[secret]"); // pulumi.secret(...)
        assert.equal(byName("cp-1-join").inputs.connection, "[secret]"); // object holding the secret SSH key
        assert.equal(byName("cp-1-join").inputs.create, "sudo bash -s");
        assert.deepEqual(byName("ca-key").inputs, { algorithm: "RSA", rsaBits: 2048 });
        assert.equal(byName("pool-a").inputs.keyRef, "ssh-host-key", "a resource reference is the resource's name");
        assert.equal(plan.outputs.kubeconfig, "[secret]");
        assert.match(String(plan.outputs.caCert), /^-----BEGIN CERTIFICATE-----/);
        assert.equal(plan.outputs.endpoint, "https://10.20.0.100:6443");
    });

    it("writes no secret value anywhere in the output directory", () => {
        const password = mockRandomString("vrrp-auth", { length: 16, special: false });
        const contents = allFiles(out).map((f) => [f, fs.readFileSync(f, "utf8")] as const);
        assert.ok(contents.length > 10);
        for (const [f, c] of contents) {
            assert.ok(!c.includes(password), `${f} holds the VRRP password`);
            assert.ok(!/PRIVATE KEY-----/.test(c), `${f} holds a private key`);
            assert.ok(!c.includes("FakeCiphertext"), `${f} holds the secure config value`);
            assert.ok(!c.includes("client-key-data"), `${f} holds the kubeconfig`);
        }
    });

    it("writes exactly the files each node receives", () => {
        const nodesDir = path.join(out, "nodes");
        const listing = Object.fromEntries(fs.readdirSync(nodesDir).sort().map((n) => [n, fs.readdirSync(path.join(nodesDir, n)).sort()]));
        assert.deepEqual(listing, {
            "cp-1": ["99-kubernetes.conf", "bootstrap.sh", "ca.crt", "cp-1-join.sh", "k8s.conf", "kubeadm.yaml"],
            "cp-2": ["99-kubernetes.conf", "bootstrap.sh", "ca.crt", "cp-2-join.sh", "k8s.conf", "kubeadm.yaml"],
            "cp-3": ["99-kubernetes.conf", "bootstrap.sh", "ca.crt", "cp-3-join.sh", "k8s.conf", "kubeadm.yaml"],
            "lb-1": ["bootstrap.sh", "check_apiserver.sh", "haproxy.cfg", "keepalived.conf"],
            "lb-2": ["bootstrap.sh", "check_apiserver.sh", "haproxy.cfg", "keepalived.conf"],
            "pool-a": ["kubeadm.yaml", "user-data"],
            "worker-1": ["bootstrap.sh", "kubeadm.yaml"],
            "worker-2": ["bootstrap.sh", "kubeadm.yaml"],
        });
        const read = (n: string, f: string) => fs.readFileSync(path.join(nodesDir, n, f), "utf8");
        assert.equal(read("lb-1", "bootstrap.sh"), byName("lb-1-bootstrap").inputs.stdin);
        assert.equal(read("cp-1", "bootstrap.sh"), byName("cp-1-prepare").inputs.stdin, "the first delivered script is bootstrap.sh");
        assert.equal(read("cp-1", "cp-1-join.sh"), byName("cp-1-join").inputs.stdin, "later ones are <resource>.sh");
        assert.equal(read("cp-1", "kubeadm.yaml"), "kind: InitConfiguration\nnodeName: cp-1\ntokenId: TOKEN\n");
        assert.equal(read("cp-2", "kubeadm.yaml"), "kind: JoinConfiguration\nnodeName: cp-2\ntokenId: TOKEN\n");
        assert.match(read("lb-2", "haproxy.cfg"), /server cp-3 10\.20\.1\.3:6443 check/);
        const userData = read("pool-a", "user-data");
        assert.ok(userData.startsWith("#cloud-config\n"), "user-data is written decoded");
        assert.equal(Buffer.from(String(byName("pool-a").inputs.userData), "base64").toString(), userData);
        assert.equal(read("pool-a", "kubeadm.yaml"), "kind: JoinConfiguration\npool: pool-a\n");
    });

    it("prints a short summary: types, nodes by role and zone, tolerance, where", () => {
        const lines = run.stdout.trimEnd().split("\n");
        assert.ok(lines.length < 40, run.stdout);
        assert.match(run.stdout, /^hacluster\/dev: 23 resources, node files for 8 nodes/);
        assert.match(run.stdout, /\s15 {2}command:remote:Command\n/);
        assert.match(run.stdout, /role\s+zone-a\s+zone-b\s+zone-c\s+total/);
        assert.match(run.stdout, /worker\s+1\s+1\s+-\s+2/);
        assert.match(run.stdout, /worker pool pool-a: 3 over zone-c \(one scaling group\)/);
        assert.match(run.stdout, /Failure tolerance \(may be lost\): 1 zone, 1 etcd member, 1 LB host, 2 API servers/);
        assert.ok(run.stdout.includes(path.join(out, "plan.json")));
        assert.equal(run.stderr.replace(/npm warn.*\n/g, ""), "");
    });

    it("replaces a previous output directory as a whole", () => {
        const again = path.join(tmp, "again");
        fs.mkdirSync(path.join(again, "nodes", "stale-node"), { recursive: true });
        fs.writeFileSync(path.join(again, "nodes", "stale-node", "bootstrap.sh"), "old");
        const r = runCli(["--stack", "dev", "--project", FIXTURE, "--out", again, "--set", "cluster.workers.hosts[1].name=worker-9", "-q"]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "");
        const nodes = fs.readdirSync(path.join(again, "nodes"));
        assert.ok(!nodes.includes("stale-node"));
        assert.ok(nodes.includes("worker-9") && !nodes.includes("worker-2"), "--set reached the program");
        assert.ok(!fs.readdirSync(tmp).some((n) => n.includes(".synth-")), "no temporary directories left");
    });

    it("refuses to replace a directory that is not a synth output", () => {
        const project = path.join(tmp, "project");
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "index.ts"), "keep me\n");
        const r = runCli(["--stack", "dev", "--project", FIXTURE, "--out", project]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /refusing to replace .*project: it is not a synth output directory \(it holds index\.ts\)/);
        assert.deepEqual(fs.readdirSync(project), ["index.ts"]);
    });

    it("keeps the lab's result.json when it replaces out/<stack> (stack lab: out/lab holds both)", () => {
        const lab = path.join(tmp, "lab-out");
        fs.mkdirSync(lab);
        fs.writeFileSync(path.join(lab, "result.json"), "{\"stack\":\"lab\"}\n");
        const r = runCli(["--stack", "dev", "--project", FIXTURE, "--out", lab, "-q"]);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(fs.readdirSync(lab).sort(), ["nodes", "plan.json", "result.json"]);
        assert.equal(fs.readFileSync(path.join(lab, "result.json"), "utf8"), "{\"stack\":\"lab\"}\n");
    });

    it("a config error exits 1 with every problem on stderr, no stack trace, nothing written", () => {
        const bad = path.join(tmp, "bad");
        fs.mkdirSync(bad);
        fs.writeFileSync(path.join(bad, "plan.json"), "previous\n");
        const r = runCli(["--stack", "bad", "--project", FIXTURE, "--out", bad]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /The stack configuration has 2 problems; nothing was created:/);
        assert.match(r.stderr, /cluster\.controlPlane\.hosts\[0\]\.address: 10\.99\.1\.1 is outside/);
        assert.match(r.stderr, /cluster\.controlPlane\.hosts: has 2 hosts, an even number/);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        assert.equal(r.stdout, "");
        assert.deepEqual(fs.readdirSync(bad), ["plan.json"]);
        assert.equal(fs.readFileSync(path.join(bad, "plan.json"), "utf8"), "previous\n");
        const fresh = path.join(tmp, "never");
        assert.equal(runCli(["--stack", "bad", "--project", FIXTURE, "--out", fresh]).status, 1);
        assert.ok(!fs.existsSync(fresh));
    });

    it("a bad --set or missing stack file is a config error too", () => {
        const r = runCli(["--stack", "nope", "--project", FIXTURE, "--out", path.join(tmp, "nope"), "--set", "x"]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /has 2 problems/);
        assert.match(r.stderr, /Pulumi\.nope\.yaml/);
        assert.match(r.stderr, /--set: .*expected <path>=<value>/);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
        assert.ok(!fs.existsSync(path.join(tmp, "nope")));
    });

    it("fails loudly, writing nothing, when a secret reaches a plain input", () => {
        const leak = path.join(tmp, "leak");
        const r = runCli(["--stack", "dev", "--project", FIXTURE, "--out", leak, "--set", "leak=true"]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /secret leak: the secret value of output result of resource vrrp-auth/);
        assert.ok(!fs.existsSync(leak));
    });

    it("the library rejects a bad config in-process with the program's RunError, and runs again after", async () => {
        await assert.rejects(runSynth({ stack: "bad", projectDir: FIXTURE }), (e: unknown) => isConfigError(e) && /has 2 problems/.test(e.message));
        const ok = await runSynth({ stack: "dev", projectDir: FIXTURE, sets: ["cluster.pool.count=7"] });
        assert.deepEqual((ok.plan.outputs.nodes as { name: string; count?: number }[]).find((n) => n.name === "pool-a")?.count, 7);
    });

    it("the library gives the same plan in-process, and twice in a row", async () => {
        const a = await runSynth({ stack: "dev", projectDir: FIXTURE, outDir: out });
        const b = await runSynth({ stack: "dev", projectDir: FIXTURE, outDir: out });
        assert.equal(planJson(a.plan), planJson(plan));
        assert.equal(planJson(b.plan), planJson(plan));
        assert.deepEqual([...a.nodes.keys()], ["cp-1", "cp-2", "cp-3", "lb-1", "lb-2", "pool-a", "worker-1", "worker-2"]);
        assert.equal(a.summary, run.stdout);
    });
});

describe("synth: node files from plan inputs", () => {
    const script = (node: string, files: { path: string; content: string }[]) => renderScript({ node, description: "test", files, steps: "true" });
    const planOf = (...resources: [string, Record<string, unknown>][]): Plan => ({
        project: "p",
        stack: "s",
        outputs: {},
        resources: resources.map(([name, inputs]) => ({ type: "command:remote:Command", name, parent: null, dependsOn: [], inputs })),
    });

    it("fails when two scripts of a node embed different contents under one base name", () => {
        const plan = planOf(
            ["n1-a", { stdin: script("n1", [{ path: "/etc/a/kubeadm.yaml", content: "one" }]) }],
            ["n1-b", { stdin: script("n1", [{ path: "/etc/b/kubeadm.yaml", content: "two" }]) }],
        );
        assert.throws(() => collectNodeFiles(plan), /node n1: .*n1-a.* and .*n1-b.* different contents named kubeadm\.yaml/);
    });

    it("accepts the same file twice with equal content, and the same script delivered twice once", () => {
        const s = script("n1", [{ path: "/etc/x.conf", content: "same" }]);
        const plan = planOf(["n1-a", { stdin: s }], ["n1-b", { stdin: script("n1", [{ path: "/other/x.conf", content: "same" }]) }], ["n1-trigger", { triggers: [s] }]);
        assert.deepEqual(Object.keys(collectNodeFiles(plan).get("n1")!), ["bootstrap.sh", "n1-b.sh", "x.conf"]);
    });

    it("finds scripts in cloud-init user-data: plain, base64, gzip+base64, nested keys", () => {
        const s = (n: string) => script(n, [{ path: "/etc/k.yaml", content: n }]);
        const cc = (n: string) => `#cloud-config\nwrite_files:\n  - path: /var/lib/b.sh\n    content: |\n${s(n).split("\n").map((l) => (l ? `      ${l}` : "")).join("\n")}\nruncmd:\n  - [bash, /var/lib/b.sh]\n`;
        const gz = (t: string) => zlib.gzipSync(Buffer.from(t)).toString("base64");
        const plan = planOf(
            ["p1", { userData: cc("p1") }],
            ["p2", { userDataBase64: Buffer.from(cc("p2")).toString("base64") }],
            ["p3", { spec: { template: { userData: gz(cc("p3")) } } }],
            ["p4", { metadata: { "user-data": s("p4") } }],
        );
        const nodes = collectNodeFiles(plan);
        assert.deepEqual([...nodes.keys()], ["p1", "p2", "p3", "p4"]);
        for (const n of ["p1", "p2", "p3"]) assert.deepEqual(nodes.get(n), { "k.yaml": `${n}\n`, "user-data": cc(n) });
        assert.deepEqual(Object.keys(nodes.get("p4")!), ["k.yaml", "user-data"], "a bare script under a user-data key is user-data");
    });

    it("ignores [secret] inputs and strings that are not node scripts", () => {
        assert.equal(collectNodeFiles(planOf(["x", { stdin: "[secret]", create: "echo hi", data: "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=" }])).size, 0);
    });

    it("refuses node names that are not safe directory names", () => {
        assert.throws(() => collectNodeFiles(planOf(["x", { stdin: script("../evil", []) }])), /not usable as a directory name/);
    });
});
