/**
 * The AWS stack's rendered files against the real tools: every user-data the synth writes
 * (stacked and external etcd) passes `cloud-init schema` and fits EC2's 16 KiB; every node
 * script in it (with the Secrets Manager fetch step) parses and passes shellcheck with no
 * findings. Then the fetch step itself runs in bash against a fake `aws` (and `snap`): it
 * installs the CLI when missing, retries, runs only a secrets script, never prints the value,
 * and leaves no copy behind.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EC2_USER_DATA, gzipUserDataBase64, scriptFromCloudInit, userDataSize } from "../../components/render/cloudinit";
import { secretsScript } from "../../components/render/node";
import { renderScript } from "../../components/render/script";
import { awsFetchSecrets } from "../../components/render/secrets-aws";
import { needTool, synthStack } from "../synth-cli";

const VARIANTS: Record<string, string[]> = { stacked: [], external: ["cluster.etcd.topology=external"] };

const need = needTool;

function synth(out: string, sets: readonly string[]): void {
    synthStack("aws", out, sets);
}

describe("integration: the aws stack's user-data and scripts pass their real tools", function () {
    this.timeout(300_000);
    const tmp = mkdtempSync(join(tmpdir(), "hacluster-aws-"));
    const userData: string[] = [];
    /** Each etcd member's snapshot script (control planes stacked, members external). */
    const snapshots: string[] = [];

    before(() => {
        need("shellcheck", "shellcheck");
        need("cloud-init", "cloud-init");
        for (const [variant, sets] of Object.entries(VARIANTS)) {
            const out = join(tmp, variant);
            synth(out, sets);
            for (const node of readdirSync(join(out, "nodes"))) {
                userData.push(join(out, "nodes", node, "user-data"));
                const snapshot = join(out, "nodes", node, "hacluster-etcd-snapshot");
                if (existsSync(snapshot)) snapshots.push(snapshot);
            }
        }
    });
    after(() => rmSync(tmp, { recursive: true, force: true }));

    it("wrote user-data for every machine and pool (3 control planes + pool; + 3 etcd members)", () => {
        assert.equal(userData.length, 4 + 7);
        for (const f of userData) assert.ok(existsSync(f), f);
    });

    it("every user-data passes `cloud-init schema` and fits EC2's limit", () => {
        for (const f of userData) {
            const r = spawnSync("cloud-init", ["schema", "--config-file", f], { encoding: "utf8", timeout: 60_000 });
            assert.equal(r.status, 0, `${f}:\n${r.stdout}${r.stderr}`);
            assert.match(r.stdout, /Valid cloud-config/);
            // What EC2 receives: the text where it fits, else gzip + base64 (the component decides the same way).
            const text = readFileSync(f, "utf8");
            const sent = userDataSize(text) <= EC2_USER_DATA.bytes ? userDataSize(text) : gzipUserDataBase64(text).length;
            assert.ok(sent <= EC2_USER_DATA.bytes, `${f}: ${sent} bytes as sent`);
        }
    });

    it("every node script in them, with its secrets fetch step, parses and passes shellcheck with no findings", () => {
        for (const f of userData) {
            const script = scriptFromCloudInit(readFileSync(f, "utf8"));
            assert.ok(script, `${f}: no node script`);
            assert.match(script, /hacluster_fetch_secrets\n/, `${f}: fetches its secrets`);
            const local = `${f}.sh`;
            writeFileSync(local, script);
            execFileSync("bash", ["-n", local]);
            const r = spawnSync("shellcheck", ["--shell=bash", local], { encoding: "utf8", timeout: 60_000 });
            assert.equal(r.status, 0, `${local}:\n${r.stdout}`);
        }
    });

    it("every etcd member's snapshot script uploads to the stack's bucket under its own name and passes shellcheck", () => {
        assert.deepEqual(snapshots.map((f) => { const p = f.split("/"); return `${p.at(-4)}/${p.at(-2)}`; }).sort(), [
            "external/etcd-1",
            "external/etcd-2",
            "external/etcd-3",
            "stacked/cp-1",
            "stacked/cp-2",
            "stacked/cp-3",
        ]);
        for (const f of snapshots) {
            const member = f.split("/").slice(-2, -1)[0];
            assert.match(readFileSync(f, "utf8"), new RegExp(`s3 cp --only-show-errors --no-progress --region eu-west-1 "\\$1" 's3://aws-ha-etcd-backups-id/${member}/'`), f);
            execFileSync("bash", ["-n", f]);
            const r = spawnSync("shellcheck", ["--shell=bash", f], { encoding: "utf8", timeout: 60_000 });
            assert.equal(r.status, 0, `${f}:\n${r.stdout}`);
        }
    });
});

describe("integration: the AWS secrets fetch step in bash, against a fake AWS CLI", function () {
    this.timeout(60_000);
    let dir: string;
    let bin: string;
    /** What the fake secret holds: the real secrets script, writing under the temp dir. */
    let secretValue: string;
    const SECRET_TEXT = "abcdef.0123456789abcdef";

    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "hacluster-fetch-"));
        bin = join(dir, "bin");
        mkdirSync(bin);
        secretValue = secretsScript("worker", [{ path: join(dir, "secrets", "bootstrap-token"), content: SECRET_TEXT }]);
        writeFileSync(join(dir, "value"), secretValue);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** A fake `aws` that logs its arguments, fails the first `failures` calls, then prints `value`. */
    function fakeAws(failures = 0, value = join(dir, "value")): void {
        writeFileSync(
            join(bin, "aws"),
            `#!/bin/bash
echo "$*" >>"${dir}/aws.log"
n=$(cat "${dir}/calls" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" >"${dir}/calls"
if (( n <= ${failures} )); then echo "An error occurred (AccessDeniedException)" >&2; exit 255; fi
cat "${value}"
`,
        );
        chmodSync(join(bin, "aws"), 0o755);
    }

    /** Runs the fetch step inside a real node script (the prelude's `retry`), with only our fakes on PATH. */
    function run(attempts = 3): { status: number | null; stdout: string; stderr: string } {
        const script = renderScript({
            node: "worker",
            description: "fetch test",
            files: [],
            steps: `${awsFetchSecrets({ secretId: "hacluster/test/worker", region: "eu-west-1", attempts, delaySeconds: 1, runDir: join(dir, "run") })}echo "after fetch"`,
        });
        writeFileSync(join(dir, "node.sh"), script);
        const r = spawnSync("bash", [join(dir, "node.sh")], { encoding: "utf8", timeout: 30_000, env: { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: dir } });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    }

    it("fetches the secret, runs it as the root-only files, and leaves no copy and no trace of the value", () => {
        fakeAws();
        const r = run();
        assert.equal(r.status, 0, r.stderr);
        assert.equal(readFileSync(join(dir, "secrets", "bootstrap-token"), "utf8"), `${SECRET_TEXT}\n`);
        assert.equal(statSync(join(dir, "secrets", "bootstrap-token")).mode & 0o777, 0o600);
        assert.equal(statSync(join(dir, "run")).mode & 0o777, 0o700);
        assert.deepEqual(readdirSync(join(dir, "run")), [], "the fetched script is removed");
        assert.ok(!r.stdout.includes(SECRET_TEXT) && !r.stderr.includes(SECRET_TEXT), "the value is never printed");
        assert.match(r.stdout, /hacluster: 1 secret files in place on worker\nafter fetch/);
        assert.equal(readFileSync(join(dir, "aws.log"), "utf8"), "secretsmanager get-secret-value --region eu-west-1 --secret-id hacluster/test/worker --query SecretString --output text\n");
    });

    it("retries while the secret cannot be read (IAM propagation), then succeeds", () => {
        fakeAws(2);
        const r = run(3);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(readFileSync(join(dir, "calls"), "utf8").trim(), "3");
        assert.ok(existsSync(join(dir, "secrets", "bootstrap-token")));
    });

    it("gives up after the bounded attempts and stops the node script", () => {
        fakeAws(100);
        const r = run(2);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /giving up after 2 attempts: hacluster_fetch_secrets/);
        assert.doesNotMatch(r.stdout, /after fetch/);
    });

    it("runs nothing that is not a hacluster secrets script", () => {
        writeFileSync(join(dir, "other"), `#!/bin/sh\ntouch ${join(dir, "ran")}\n`);
        fakeAws(0, join(dir, "other"));
        const r = run(2);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /secret hacluster\/test\/worker does not hold a hacluster secrets script/);
        assert.ok(!existsSync(join(dir, "ran")), "the foreign value was not run");
        assert.deepEqual(readdirSync(join(dir, "run")), []);
    });

    it("installs the AWS CLI with snap (after seeding) when it is missing", function () {
        // Only meaningful where no real AWS CLI is found outside our fake bin directory.
        if (["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/snap/bin"].some((d) => existsSync(join(d, "aws")))) this.skip();
        // A fake snap that "installs" the fake aws into PATH.
        writeFileSync(
            join(bin, "snap"),
            `#!/bin/bash
echo "snap $*" >>"${dir}/snap.log"
if [[ $1 == install ]]; then printf '#!/bin/bash\\ncat "${dir}/value"\\n' >"${bin}/aws"; chmod 755 "${bin}/aws"; fi
`,
        );
        chmodSync(join(bin, "snap"), 0o755);
        const r = run();
        assert.equal(r.status, 0, r.stderr);
        assert.equal(readFileSync(join(dir, "snap.log"), "utf8"), "snap wait system seed.loaded\nsnap install aws-cli --classic\n");
        assert.ok(existsSync(join(dir, "secrets", "bootstrap-token")));
    });
});
