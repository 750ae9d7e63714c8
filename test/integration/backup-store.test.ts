/**
 * The rendered snapshot uploads (render/backup-store.ts), run by bash with real curl and python3
 * against a loopback server that plays the cloud's metadata/identity endpoint and its object
 * store: the bytes stored equal the snapshot, the object is named `<member>/<file>`, the token
 * from the metadata server is what authorised the upload, and it never appears in any process's
 * arguments (a `curl` wrapper on PATH records every argv). S3: a stand-in `aws` records the call.
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { renderBackupUpload, type BackupStore } from "../../components/render/backup-store";
import { renderSnapshotScript } from "../../components/render/backup";

interface Received {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

const TOKEN = `ya29.test-${crypto.randomBytes(12).toString("hex")}`;

function bashAsync(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
        const p = spawn("bash", ["-s"], { env, stdio: ["pipe", "pipe", "pipe"] });
        let out = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (out += d));
        const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
        p.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, out });
        });
        p.stdin.end(script);
    });
}

describe("integration: etcd snapshot uploads to the stack's object store (bash + curl + python3)", function () {
    this.timeout(60_000);
    let dir: string;
    let server: http.Server;
    let base: string;
    let received: Received[] = [];
    let snapshot: string;
    let env: Record<string, string>;

    before(async () => {
        for (const tool of ["curl", "python3", "shellcheck"]) {
            assert.equal(spawnSync("sh", ["-c", `command -v ${tool}`]).status, 0, `${tool} is required`);
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-upload-"));
        fs.mkdirSync(path.join(dir, "bin"));
        const realCurl = spawnSync("sh", ["-c", "command -v curl"], { encoding: "utf8" }).stdout.trim();
        // Records every curl argv, then runs the real curl.
        fs.writeFileSync(path.join(dir, "bin", "curl"), `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>${JSON.stringify(path.join(dir, "argv.log"))}\nexec ${realCurl} "$@"\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "bin", "aws"), `#!/usr/bin/env bash\nprintf '%s\\n' "$@" >${JSON.stringify(path.join(dir, "aws.log"))}\n`, { mode: 0o755 });
        snapshot = path.join(dir, "etcd-20261124T131500Z.db");
        fs.writeFileSync(snapshot, crypto.randomBytes(3 * 1024 * 1024 + 17));
        env = { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, HOME: dir };

        server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
                const url = req.url ?? "";
                if (url.startsWith("/computeMetadata/v1/instance/service-accounts/default/token")) {
                    if (req.headers["metadata-flavor"] !== "Google") return void res.writeHead(403).end();
                    return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: TOKEN, expires_in: 3599, token_type: "Bearer" }));
                }
                if (url.startsWith("/metadata/identity/oauth2/token")) {
                    if (req.headers.metadata !== "true") return void res.writeHead(400).end();
                    return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: TOKEN, resource: "https://storage.azure.com/" }));
                }
                if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end("no token");
                res.writeHead(req.method === "PUT" ? 201 : 200, { "content-type": "application/json" }).end("{}");
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
        await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        received = [];
        fs.rmSync(path.join(dir, "argv.log"), { force: true });
    });

    /** The upload as the snapshot script runs it: a function called with the snapshot's path. */
    const run = (store: BackupStore) => bashAsync(`set -euo pipefail\nupload() {\n${renderBackupUpload(store)}\n}\nupload ${JSON.stringify(snapshot)}\n`, env);
    const argv = () => fs.readFileSync(path.join(dir, "argv.log"), "utf8");

    const stores: BackupStore[] = [
        { kind: "s3", bucket: "dev-etcd-backups-1a2b3c", region: "eu-west-1", prefix: "cp-1" },
        { kind: "gcs", bucket: "dev-etcd-backups-acme", prefix: "cp-1" },
        { kind: "azureBlob", account: "devetcd1a2b3c", container: "etcd-snapshots", prefix: "cp-1", identity: { resourceId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/cp" } },
    ];

    it("every store's upload passes shellcheck inside the snapshot script", () => {
        for (const s of stores) {
            const script = renderSnapshotScript({ endpoint: "https://127.0.0.1:2379", tls: { caFile: "/a", certFile: "/b", keyFile: "/c" }, upload: renderBackupUpload(s) });
            assert.match(script, /^upload "\$out"$/m);
            const r = spawnSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
            assert.equal(r.status, 0, `${s.kind}: ${r.stdout}`);
        }
    });

    it("GCS: media upload of the exact bytes as <member>/<file>, authorised by the metadata server's token", async () => {
        const r = await run({ kind: "gcs", bucket: "dev-etcd-backups-acme", prefix: "cp-1", apiUrl: base, metadataUrl: `${base}/computeMetadata/v1` });
        assert.equal(r.code, 0, r.out);
        const up = received.find((x) => x.url.startsWith("/upload/"));
        assert.ok(up, JSON.stringify(received.map((x) => x.url)));
        assert.equal(up.method, "POST");
        const u = new URL(up.url, base);
        assert.equal(u.pathname, "/upload/storage/v1/b/dev-etcd-backups-acme/o");
        assert.equal(u.searchParams.get("uploadType"), "media");
        assert.equal(u.searchParams.get("name"), "cp-1/etcd-20261124T131500Z.db");
        assert.ok(up.body.equals(fs.readFileSync(snapshot)), "stored bytes differ from the snapshot");
        assert.ok(!argv().includes(TOKEN), "the token appeared in curl's arguments");
        assert.ok(!r.out.includes(TOKEN), "the token was printed");
    });

    it("Azure Blob: Put Blob of the exact bytes as <container>/<member>/<file> with an IMDS token for storage", async () => {
        const identity = { resourceId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/cp" };
        const r = await run({ kind: "azureBlob", account: "devetcd1a2b3c", container: "etcd-snapshots", prefix: "cp-1", identity, blobUrl: base, tokenUrl: `${base}/metadata/identity/oauth2/token` });
        assert.equal(r.code, 0, r.out);
        const tok = received.find((x) => x.url.startsWith("/metadata/"));
        assert.ok(tok);
        const q = new URL(tok.url, base).searchParams;
        assert.equal(q.get("resource"), "https://storage.azure.com/");
        assert.equal(q.get("msi_res_id"), identity.resourceId);
        const up = received.find((x) => x.method === "PUT");
        assert.ok(up, JSON.stringify(received.map((x) => `${x.method} ${x.url}`)));
        assert.equal(up.url, "/etcd-snapshots/cp-1/etcd-20261124T131500Z.db");
        assert.equal(up.headers["x-ms-blob-type"], "BlockBlob");
        assert.equal(up.headers["x-ms-version"], "2021-08-06");
        assert.ok(up.body.equals(fs.readFileSync(snapshot)), "stored bytes differ from the snapshot");
        assert.ok(!argv().includes(TOKEN), "the token appeared in curl's arguments");
    });

    it("a refused upload fails the snapshot run (non-zero), so the timer's unit shows it", async () => {
        const r = await run({ kind: "gcs", bucket: "dev-etcd-backups-acme", prefix: "cp-1", apiUrl: `${base}/nope`, metadataUrl: `${base}/wrong-metadata` });
        assert.notEqual(r.code, 0, r.out);
    });

    it("S3: `aws s3 cp` of the snapshot to s3://<bucket>/<member>/<file> in the bucket's region", async () => {
        const r = await run({ kind: "s3", bucket: "dev-etcd-backups-1a2b3c", region: "eu-west-1", prefix: "cp-1" });
        assert.equal(r.code, 0, r.out);
        const args = fs.readFileSync(path.join(dir, "aws.log"), "utf8").trim().split("\n");
        assert.deepEqual(args, ["s3", "cp", "--only-show-errors", "--no-progress", "--region", "eu-west-1", snapshot, "s3://dev-etcd-backups-1a2b3c/cp-1/etcd-20261124T131500Z.db"]);
    });

    it("refuses names that would not be a bucket, container or prefix", () => {
        assert.throws(() => renderBackupUpload({ kind: "s3", bucket: "Bad_Bucket", region: "eu-west-1", prefix: "cp-1" }), /not an S3 bucket name/);
        assert.throws(() => renderBackupUpload({ kind: "s3", bucket: "ok-bucket", region: "eu-west-1", prefix: "cp-1;rm" }), /prefix/);
        assert.throws(() => renderBackupUpload({ kind: "gcs", bucket: "a..b", prefix: "cp-1" }), /not a GCS bucket name/);
        assert.throws(() => renderBackupUpload({ kind: "azureBlob", account: "Has-Dash", container: "c1c", prefix: "cp-1", identity: { resourceId: "/x" } }), /storage account name/);
    });
});
