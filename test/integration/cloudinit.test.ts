/**
 * Rendered user-data against the real tools: `cloud-init schema` (22.4), cloud-init's own YAML
 * loader and write_files module (Python, as on a booting node), bash, and shellcheck.
 * Everything is written to a temp dir removed in `after()`; every command has a timeout.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import {
    bootstrapCommand,
    gzipUserDataBase64,
    renderCloudInit,
    scriptFromCloudInit,
} from "../../components/render/cloudinit";
import { BOOTSTRAP_LOG, ETCD_ENV_PATH, ETCD_UNIT_PATH } from "../../components/render/paths";
import { etcdMemberInput, renderEtcdEnv, renderEtcdUnit } from "../../components/render/etcd";
import { renderScript } from "../../components/render/script";

/** cloud-init's interpreter (its modules live in Debian's dist-packages, not in a pyenv python). */
const PYTHON = "/usr/bin/python3";

interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

function run(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<Run> {
    return new Promise((resolve) => {
        const child = execFile(
            cmd,
            args,
            { timeout: opts.timeoutMs ?? 20_000, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
            (err, stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
                resolve({ code, stdout: String(stdout), stderr: String(stderr) });
            },
        );
        if (opts.input !== undefined) child.stdin?.end(opts.input);
        else child.stdin?.end();
    });
}

/** A realistic control-plane script: the etcd member files plus steps using every prelude helper. */
function etcdNodeScript(): string {
    const members = [
        { name: "etcd1", address: "10.0.1.11" },
        { name: "etcd2", address: "10.0.1.12" },
        { name: "etcd3", address: "10.0.1.13" },
    ];
    const input = etcdMemberInput({ member: members[0], members, clusterToken: "prod-etcd" });
    return renderScript({
        node: "etcd1",
        description: "etcd member, zone a",
        files: [
            { path: ETCD_ENV_PATH, content: renderEtcdEnv(input), mode: "0600" },
            { path: ETCD_UNIT_PATH, content: renderEtcdUnit(input) },
        ],
        steps: [
            `if hacluster_changed ${ETCD_ENV_PATH} || hacluster_changed ${ETCD_UNIT_PATH}; then`,
            "  systemctl daemon-reload",
            "  systemctl enable etcd",
            "  systemctl restart --no-block etcd",
            "fi",
            'ETCDCTL_API=3 retry 60 2 etcdctl --endpoints="https://127.0.0.1:2379" \\',
            "  --cacert=/etc/etcd/pki/ca.crt --cert=/etc/etcd/pki/server.crt --key=/etc/etcd/pki/server.key \\",
            "  endpoint health",
        ].join("\n"),
    });
}

/** Loads user-data the way cloud-init does (gzip detection, YAML), runs its write_files module, prints runcmd. */
const CLOUD_INIT_APPLY = `
import json, sys
from cloudinit import util
from cloudinit.user_data import convert_string
from cloudinit.config.cc_write_files import write_files
data = open(sys.argv[1], "rb").read()
payload = convert_string(data).get_payload(decode=True)
assert payload.startswith(b"#cloud-config\\n"), payload[:40]
cfg = util.load_yaml(payload)
assert isinstance(cfg, dict), "cloud-init could not load the YAML"
write_files("write_files", cfg["write_files"], "root:root")
print(json.dumps({"runcmd": cfg["runcmd"], "hostname": cfg.get("hostname")}))
`;

/** Prints, for each rendered config on stdin (JSON list), the write_files content cloud-init's loader reads. */
const CLOUD_INIT_LOAD_MANY = `
import json, sys
from cloudinit import util
out = []
for text in json.load(sys.stdin):
    cfg = util.load_yaml(text)
    out.append(None if not isinstance(cfg, dict) else cfg["write_files"][0]["content"])
print(json.dumps(out))
`;

describe("integration: cloud-init user-data", function () {
    this.timeout(60_000);
    let tmp = "";
    before(function () {
        for (const bin of ["/usr/bin/cloud-init", PYTHON, "/usr/bin/shellcheck"]) {
            if (!fs.existsSync(bin)) throw new Error(`${bin} is required for this test`);
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-cloudinit-"));
    });
    after(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    describe("cloud-init schema (22.4)", () => {
        it("accepts the rendered user-data of a real node script", async () => {
            const file = path.join(tmp, "valid.yaml");
            fs.writeFileSync(file, renderCloudInit({ hostname: "etcd1", script: etcdNodeScript() }));
            const r = await run("cloud-init", ["schema", "--config-file", file]);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout.trim(), `Valid cloud-config: ${file}`);
            assert.doesNotMatch(r.stderr, /error|deprecat/i);
        });
        it("rejects a schema violation (negative control: permissions as a number)", async () => {
            const text = renderCloudInit({ script: etcdNodeScript() });
            const cfg = parse(text) as { write_files: Array<Record<string, unknown>> };
            cfg.write_files[0].permissions = 700;
            const file = path.join(tmp, "invalid.yaml");
            fs.writeFileSync(file, `#cloud-config\n${stringify(cfg)}`);
            const r = await run("cloud-init", ["schema", "--config-file", file]);
            assert.notEqual(r.code, 0, r.stdout);
            assert.match(r.stderr, /Cloud config schema errors: .*write_files\.0\.permissions: 700 is not of type 'string'/);
        });
        it("rejects user-data without the #cloud-config header (negative control)", async () => {
            const file = path.join(tmp, "noheader.yaml");
            fs.writeFileSync(file, renderCloudInit({ script: "true\n" }).replace(/^#cloud-config\n/, ""));
            const r = await run("cloud-init", ["schema", "--config-file", file]);
            assert.notEqual(r.code, 0, r.stdout);
            assert.match(r.stderr, /needs to begin with "#cloud-config"/);
        });
    });

    describe("cloud-init's loader and write_files module, then bash", () => {
        let outDir = "";
        let scriptPath = "";
        let script = "";
        before(() => {
            outDir = path.join(tmp, "node");
            scriptPath = path.join(tmp, "boot", "bootstrap.sh");
            script = renderScript({
                node: "itest",
                description: "cloud-init chain",
                files: [
                    { path: `${outDir}/etc/a.conf`, content: "key: value\n\tindented: with a tab\n" },
                    { path: `${outDir}/etc/b.env`, content: "SECRET=no", mode: "0600" },
                ],
                steps: `if hacluster_changed ${outDir}/etc/a.conf; then\n  echo "a changed" > ${outDir}/step\nfi\necho "bootstrap ran"`,
            });
        });

        for (const form of ["plain", "gzip+base64"] as const) {
            it(`writes the script byte-exact with mode 0700, and bash runs it (${form})`, async () => {
                fs.rmSync(path.join(tmp, "boot"), { recursive: true, force: true });
                fs.rmSync(outDir, { recursive: true, force: true });
                const text = renderCloudInit({ hostname: "itest-node", script, scriptPath });
                const userData = path.join(tmp, `user-data-${form}`);
                // EC2 base64-decodes userDataBase64 before the instance sees it: the node gets gzip bytes.
                fs.writeFileSync(userData, form === "plain" ? text : Buffer.from(gzipUserDataBase64(text), "base64"));
                const r = await run(PYTHON, ["-c", CLOUD_INIT_APPLY, userData]);
                assert.equal(r.code, 0, r.stderr);
                const out = JSON.parse(r.stdout) as { runcmd: unknown; hostname: string };
                assert.equal(out.hostname, "itest-node");
                assert.deepEqual(out.runcmd, [["bash", "-c", bootstrapCommand(scriptPath)]]);
                assert.equal(fs.readFileSync(scriptPath, "utf8"), script);
                assert.equal(fs.statSync(scriptPath).mode & 0o777, 0o700);

                const b = await run("bash", [scriptPath]);
                assert.equal(b.code, 0, b.stderr);
                assert.equal(b.stdout, "bootstrap ran\n");
                assert.equal(fs.readFileSync(`${outDir}/etc/a.conf`, "utf8"), "key: value\n\tindented: with a tab\n");
                assert.equal(fs.statSync(`${outDir}/etc/b.env`).mode & 0o777, 0o600);
                assert.equal(fs.readFileSync(`${outDir}/step`, "utf8"), "a changed\n");
            });
        }

        it("the runcmd command logs to the bootstrap log (0600) and propagates a failure (private /var/log)", async function () {
            // /var/log is bind-mounted from the temp dir inside a private mount namespace, so the
            // real command line runs unchanged without touching this machine's /var/log.
            const probe = await run("unshare", ["-m", "true"], { timeoutMs: 5_000 });
            if (probe.code !== 0) {
                this.skip(); // no mount namespaces here (unprivileged container): not faked
            }
            const realLog = (): string => (fs.existsSync(BOOTSTRAP_LOG) ? fs.readFileSync(BOOTSTRAP_LOG, "utf8") : "<absent>");
            const realBefore = realLog();
            const logDir = path.join(tmp, "varlog");
            fs.mkdirSync(logDir, { recursive: true });
            const inNamespace = async (scriptText: string): Promise<Run> => {
                const p = path.join(tmp, "boot", "ns.sh");
                fs.mkdirSync(path.dirname(p), { recursive: true });
                fs.writeFileSync(p, scriptText, { mode: 0o700 });
                const cmd = bootstrapCommand(p);
                return run("unshare", ["-m", "bash", "-c", 'mount --bind "$1" /var/log && exec bash -c "$2"', "ns", logDir, cmd]);
            };
            const ok = await inNamespace("echo first-run-output\n");
            assert.equal(ok.code, 0, ok.stderr);
            assert.equal(ok.stdout, "first-run-output\n", "output also reaches cloud-init's output log (stdout)");
            const log = path.join(logDir, path.basename(BOOTSTRAP_LOG));
            assert.equal(fs.readFileSync(log, "utf8"), "first-run-output\n");
            assert.equal(fs.statSync(log).mode & 0o777, 0o600);
            const fail = await inNamespace("echo about-to-fail >&2\nexit 3\n");
            assert.equal(fail.code, 3, "runcmd must fail when the script fails (pipefail through tee)");
            assert.equal(fs.readFileSync(log, "utf8"), "first-run-output\nabout-to-fail\n");
            assert.equal(realLog(), realBefore, "this machine's own bootstrap log must be untouched");
        });

        it("cloud-init's YAML loader reads back 400 random scripts exactly (property, seeded)", async () => {
            const scripts = fc.sample(fc.string({ unit: "binary", maxLength: 200 }).filter((s) => s.trim() !== ""), {
                numRuns: 400,
                seed: 20261124,
            });
            scripts.push("  leading blanks\n", "\ttab first", "x\r\ny\r\n", "trailing\n\n\n", "a: b\n- c\n", '"quoted"', "#!/bin/sh\n");
            const r = await run(PYTHON, ["-c", CLOUD_INIT_LOAD_MANY], {
                input: JSON.stringify(scripts.map((s) => renderCloudInit({ script: s }))),
            });
            assert.equal(r.code, 0, r.stderr);
            const read = JSON.parse(r.stdout) as Array<string | null>;
            assert.equal(read.length, scripts.length);
            read.forEach((got, i) => assert.equal(got, scripts[i], `script #${i} ${JSON.stringify(scripts[i])}`));
        });
    });

    describe("shellcheck", () => {
        const check = async (file: string): Promise<Run> => run("shellcheck", ["--shell=bash", "--severity=style", file]);

        it("finds nothing in a node script from renderScript() (etcd files, steps using every helper)", async () => {
            const file = path.join(tmp, "node-script.sh");
            const script = etcdNodeScript();
            fs.writeFileSync(file, script);
            const r = await check(file);
            assert.equal(r.code, 0, r.stdout);
            assert.equal(r.stdout, "");
            // The script is also what the user-data carries.
            assert.equal(scriptFromCloudInit(renderCloudInit({ script })), script);
        });
        it("finds nothing in the runcmd command line", async () => {
            const file = path.join(tmp, "runcmd.sh");
            fs.writeFileSync(file, `#!/usr/bin/env bash\n${bootstrapCommand("/var/lib/hacluster/bootstrap.sh")}\n`);
            const r = await check(file);
            assert.equal(r.code, 0, r.stdout);
            assert.equal(r.stdout, "");
        });
        it("does report a real finding (negative control)", async () => {
            const file = path.join(tmp, "bad.sh");
            fs.writeFileSync(file, "#!/usr/bin/env bash\nrm -rf $1/tmp\n");
            const r = await check(file);
            assert.notEqual(r.code, 0);
            assert.match(r.stdout, /SC2086/);
        });
    });
});
