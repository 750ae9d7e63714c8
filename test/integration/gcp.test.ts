/**
 * GCP node files against the real tools: every synthesized user-data passes `cloud-init schema`
 * (22.4); every node script in it (with the Secret Manager fetch in front) parses with bash and
 * passes shellcheck with no findings; and the fetch itself runs against a local stand-in for the
 * metadata server and Secret Manager: it retries, installs the files root-only, runs nothing but
 * a hacluster secrets script, and prints neither the token nor the value.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { scriptFromCloudInit } from "../../components/render/cloudinit";
import { secretsScript } from "../../components/render/node";
import { extractFiles, renderScript } from "../../components/render/script";
import { gcpFetchSecrets } from "../../components/render/secrets-gcp";
import { synthStack } from "../synth-cli";


interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Asynchronous: the fake servers answer from this process while bash runs. */
function run(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<Run> {
    return new Promise((resolve) => {
        execFile(cmd, args, { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

function synth(out: string, sets: readonly string[]): void {
    synthStack("gcp", out, sets);
}

describe("integration: GCP user-data and scripts", function () {
    this.timeout(300_000);
    let tmp = "";
    const variants: Record<string, string[]> = {
        gcp: [],
        // Every other script kind: external etcd members, public endpoint, SSH key in metadata.
        "gcp-external": [
            "cluster.etcd.topology=external",
            "cluster.cloud.publicEndpoint=true",
            "cluster.cloud.apiAllowedCidrs.0=192.0.2.0/24",
            "cluster.cloud.sshAllowedCidrs.0=198.51.100.0/24",
        ],
    };

    before(() => {
        for (const bin of ["/usr/bin/cloud-init", "/usr/bin/shellcheck", "/usr/bin/python3", "/usr/bin/curl"]) {
            if (!fs.existsSync(bin)) throw new Error(`${bin} is required for this test`);
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-gcp-"));
        for (const [name, sets] of Object.entries(variants)) synth(path.join(tmp, name), sets);
    });
    after(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const userDataFiles = () =>
        Object.keys(variants).flatMap((v) => fs.readdirSync(path.join(tmp, v, "nodes")).map((n) => path.join(tmp, v, "nodes", n, "user-data")));

    it("synthesized user-data for every machine and pool of both variants", () => {
        const nodes = userDataFiles().map((f) => path.relative(tmp, path.dirname(f)));
        assert.deepEqual(nodes.sort(), [
            "gcp-external/nodes/cp-1",
            "gcp-external/nodes/cp-2",
            "gcp-external/nodes/cp-3",
            "gcp-external/nodes/etcd-1",
            "gcp-external/nodes/etcd-2",
            "gcp-external/nodes/etcd-3",
            "gcp-external/nodes/workers",
            "gcp/nodes/cp-1",
            "gcp/nodes/cp-2",
            "gcp/nodes/cp-3",
            "gcp/nodes/workers",
        ]);
    });

    it("every user-data passes cloud-init schema", async () => {
        for (const f of userDataFiles()) {
            const r = await run("cloud-init", ["schema", "--config-file", f]);
            assert.equal(r.code, 0, `${f}:\n${r.stderr}`);
            assert.equal(r.stdout.trim(), `Valid cloud-config: ${f}`);
            assert.doesNotMatch(r.stderr, /error|deprecat/i, f);
        }
    });

    it("every node script (Secret Manager fetch included) and every embedded script parses and passes shellcheck", async () => {
        const scripts: string[] = [];
        for (const f of userDataFiles()) {
            const script = scriptFromCloudInit(fs.readFileSync(f, "utf8"));
            assert.ok(script, `${f}: no node script`);
            assert.match(script, /hacluster_fetch_secrets\n/, `${f}: fetches its secrets first`);
            const file = `${f}.sh`;
            fs.writeFileSync(file, script);
            scripts.push(file);
            for (const e of extractFiles(script).filter((x) => x.content.startsWith("#!/usr/bin/env bash") || x.content.startsWith("#!/bin/bash"))) {
                const inner = path.join(path.dirname(f), `${e.name}.embedded.sh`);
                fs.writeFileSync(inner, e.content);
                scripts.push(inner);
            }
        }
        assert.ok(scripts.length >= 15, `only ${scripts.length} scripts`);
        for (const s of scripts) {
            const syntax = await run("bash", ["-n", s]);
            assert.equal(syntax.code, 0, `${s}: ${syntax.stderr}`);
        }
        const r = await run("shellcheck", ["--shell=bash", ...scripts]);
        assert.equal(r.code, 0, r.stdout);
    });

    describe("the Secret Manager fetch against a local metadata server and Secret Manager", () => {
        const ACCESS_TOKEN = "ya29.hacluster-test-access-token-0123456789";
        const JOIN_TOKEN = "abcdef.0123456789abcdef";
        let server: http.Server;
        let base = "";
        let work = "";
        let requests: { path: string; auth?: string }[] = [];
        /** What the secret endpoint answers, per call (the last one repeats). */
        let answers: { status: number; payload?: string }[] = [];

        before(async () => {
            work = fs.mkdtempSync(path.join(tmp, "fetch-"));
            server = http.createServer((req, res) => {
                requests.push({ path: req.url ?? "", ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
                if (req.url === "/computeMetadata/v1/instance/service-accounts/default/token") {
                    if (req.headers["metadata-flavor"] !== "Google") return void res.writeHead(403).end();
                    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: ACCESS_TOKEN, expires_in: 3599, token_type: "Bearer" }));
                    return;
                }
                if (req.url === "/v1/projects/hacluster-example/secrets/hacluster-gcp-worker/versions/latest:access") {
                    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return void res.writeHead(401).end();
                    const a = answers.length > 1 ? answers.shift()! : answers[0];
                    if (a.status !== 200) return void res.writeHead(a.status, { "content-type": "application/json" }).end('{"error":{"code":403,"status":"PERMISSION_DENIED"}}');
                    const data = Buffer.from(a.payload!, "utf8").toString("base64");
                    res.writeHead(200, { "content-type": "application/json" }).end(
                        JSON.stringify({ name: "projects/123/secrets/hacluster-gcp-worker/versions/1", payload: { data, dataCrc32c: "0" } }),
                    );
                    return;
                }
                res.writeHead(404).end();
            });
            await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
            base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        });
        after(async () => {
            await new Promise<void>((r) => server.close(() => r()));
        });
        beforeEach(() => {
            requests = [];
        });

        /** A node script whose only step is the fetch, with its files under `dir`. */
        function nodeScript(dir: string, attempts: number): string {
            const fetch = gcpFetchSecrets({
                project: "hacluster-example",
                secretId: "hacluster-gcp-worker",
                apiUrl: `${base}/v1`,
                metadataUrl: `${base}/computeMetadata/v1`,
                runDir: `${dir}/run`,
                attempts,
                delaySeconds: 1,
            });
            const file = path.join(dir, "node.sh");
            fs.writeFileSync(file, renderScript({ node: "fetch-test", description: "worker", files: [], steps: `${fetch}echo "hacluster: after the fetch"` }));
            return file;
        }

        it("retries until the secret is readable, installs its files root-only, removes the fetched script, prints no secret", async () => {
            const dir = fs.mkdtempSync(path.join(work, "ok-"));
            answers = [
                { status: 403 }, // the IAM binding has not propagated yet
                { status: 200, payload: secretsScript("worker", [
                    { path: `${dir}/secrets/bootstrap-token`, content: JOIN_TOKEN },
                    { path: `${dir}/pki/ca.crt`, content: "not a real certificate", mode: "0644" },
                ]) },
            ];
            const r = await run("bash", [nodeScript(dir, 4)]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /hacluster: 2 secret files in place on worker\n[\s\S]*hacluster: after the fetch/);
            assert.equal(fs.readFileSync(`${dir}/secrets/bootstrap-token`, "utf8"), `${JOIN_TOKEN}\n`);
            assert.equal(fs.statSync(`${dir}/secrets/bootstrap-token`).mode & 0o777, 0o600);
            assert.equal(fs.statSync(`${dir}/secrets`).mode & 0o777, 0o700);
            assert.equal(fs.statSync(`${dir}/pki/ca.crt`).mode & 0o777, 0o644);
            assert.equal(fs.statSync(`${dir}/run`).mode & 0o777, 0o700);
            assert.ok(!fs.existsSync(`${dir}/run/secrets.sh`), "the fetched script is removed");
            for (const s of [ACCESS_TOKEN, JOIN_TOKEN]) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), "no secret in the output");
            const secretCalls = requests.filter((q) => q.path.startsWith("/v1/"));
            assert.equal(secretCalls.length, 2, "one failed read, one retry");
            assert.ok(secretCalls.every((q) => q.auth === `Bearer ${ACCESS_TOKEN}`), "the service account's token is sent");
        });

        it("runs nothing but a hacluster secrets script, and gives up after the configured attempts", async () => {
            const dir = fs.mkdtempSync(path.join(work, "foreign-"));
            answers = [{ status: 200, payload: `touch ${dir}/ran\n` }];
            const r = await run("bash", [nodeScript(dir, 2)]);
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /does not hold a hacluster secrets script/);
            assert.match(r.stderr, /hacluster: giving up after 2 attempts: hacluster_fetch_secrets/);
            assert.ok(!fs.existsSync(`${dir}/ran`), "the foreign value was not run");
            assert.ok(!fs.existsSync(`${dir}/run/secrets.sh`));
            assert.doesNotMatch(r.stdout, /after the fetch/, "the node script stops");
        });

        it("stops the node script when the secret stays unreadable", async () => {
            const dir = fs.mkdtempSync(path.join(work, "denied-"));
            answers = [{ status: 403 }];
            const r = await run("bash", [nodeScript(dir, 2)]);
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /curl: \(22\)[^\n]*403/);
            assert.match(r.stderr, /giving up after 2 attempts/);
            assert.ok(!r.stderr.includes(ACCESS_TOKEN));
            assert.equal(requests.filter((q) => q.path.startsWith("/v1/")).length, 2);
        });
    });
});
