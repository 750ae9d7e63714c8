/**
 * `pulumi up` / `destroy` with the engine's plugins against what this machine has: keys,
 * certificates and random values made by the tls and random plugins (checked with openssl), and a
 * command run over SSH by the command plugin against an sshd on 127.0.0.1 that the test starts
 * (stdin, environment, update on change, delete on destroy). The lab's hosts are not needed.
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { REPO as ROOT } from "../../lab/toolchain";
import { needTool } from "../synth-cli";
import { findEngine, Workspace } from "./engine";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import * as random from "@pulumi/random";
import * as remote from "@pulumi/command/remote";

const cfg = new pulumi.Config();
const caKey = new tls.PrivateKey("ca-key", { algorithm: "RSA", rsaBits: 2048 });
const ca = new tls.SelfSignedCert("ca", {
    privateKeyPem: caKey.privateKeyPem, subject: { commonName: "test-ca" }, isCaCertificate: true,
    validityPeriodHours: 24, allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
});
const key = new tls.PrivateKey("leaf-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
const csr = new tls.CertRequest("leaf-csr", {
    privateKeyPem: key.privateKeyPem, subject: { commonName: "leaf", organization: "system:masters" },
    dnsNames: ["leaf.test"], ipAddresses: ["127.0.0.1"],
});
const leaf = new tls.LocallySignedCert("leaf", {
    certRequestPem: csr.certRequestPem, caPrivateKeyPem: caKey.privateKeyPem, caCertPem: ca.certPem,
    validityPeriodHours: 1, allowedUses: ["server_auth", "client_auth", "digital_signature"],
});
const ed = new tls.PrivateKey("ed", { algorithm: "ED25519" });
const id = new random.RandomString("id", { length: 6, special: false, upper: false });
const pw = new random.RandomPassword("pw", { length: 16, special: false, upper: false });
const bytes = new random.RandomBytes("bytes", { length: 32 });
const cmd = new remote.Command("hello", {
    connection: { host: "127.0.0.1", port: cfg.requireNumber("sshPort"), user: "root", privateKey: cfg.requireSecret("sshKey") },
    create: "cat; echo \\"$GREETING\\"",
    stdin: id.result,
    environment: { GREETING: cfg.require("greeting") },
    delete: "echo \\"removed $PULUMI_COMMAND_STDOUT\\" > " + cfg.require("marker"),
    addPreviousOutputInEnv: true,
});
export const caPem = ca.certPem;
export const leafPem = leaf.certPem;
export const leafKeyPem = key.privateKeyPem;
export const caPublicKeyPem = caKey.publicKeyPem;
export const edOpenssh = ed.publicKeyOpenssh;
export const tokenId = id.result;
export const password = pw.result;
export const bytesBase64 = bytes.base64;
export const stdout = cmd.stdout;
`;

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
        s.on("error", reject);
    });
}

async function waitForPort(port: number, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        const ok = await new Promise<boolean>((resolve) => {
            const c = net.connect(port, "127.0.0.1", () => (c.end(), resolve(true)));
            c.on("error", () => resolve(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`sshd did not listen on 127.0.0.1:${port}`);
}

describe("real pulumi up / destroy with the engine's plugins (tls, random, command over SSH to 127.0.0.1)", function () {
    this.timeout(600_000);
    let ws: Workspace;
    let sshd: ChildProcess | undefined;
    let dir: string;
    let marker: string;

    before(async function () {
        const engine = findEngine();
        needTool("/usr/sbin/sshd", "openssh-server");
        needTool("ssh-keygen", "openssh-client");
        needTool("openssl", "openssl");
        assert.equal(process.getuid?.(), 0, "this test starts sshd and logs in as root: run it as root");
        ws = new Workspace(engine);
        dir = path.join(ws.root, "up");
        fs.mkdirSync(dir);
        marker = path.join(ws.root, "deleted");
        // sshd on a free loopback port with its own host key and one authorized key.
        for (const k of ["host", "client"]) {
            const r = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, k)]);
            assert.equal(r.status, 0, String(r.stderr));
        }
        fs.copyFileSync(path.join(dir, "client.pub"), path.join(dir, "authorized_keys"));
        fs.mkdirSync("/run/sshd", { recursive: true });
        const port = await freePort();
        sshd = spawn(
            "/usr/sbin/sshd",
            ["-D", "-e", "-p", String(port), "-o", "ListenAddress=127.0.0.1", "-h", path.join(dir, "host"), "-o", `AuthorizedKeysFile=${path.join(dir, "authorized_keys")}`,
                "-o", "StrictModes=no", "-o", "PermitRootLogin=prohibit-password", "-o", "PasswordAuthentication=no", "-o", `PidFile=${path.join(dir, "sshd.pid")}`,
                "-o", "UsePAM=no", "-o", "AcceptEnv=GREETING"],
            { stdio: "ignore" },
        );
        await waitForPort(port, 15_000);

        // A tiny project using the same npm SDKs as hacluster.
        const project = path.join(ws.root, "upproject");
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: engine-up\nmain: index.ts\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "engine-up", main: "index.ts" }));
        fs.writeFileSync(path.join(project, "index.ts"), PROGRAM);
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
        ws.project = project;
        ws.installPlugins();
        ws.ok(["stack", "init", "up", "--secrets-provider", "passphrase"]);
        ws.ok(["config", "set", "sshPort", String(port)]);
        ws.ok(["config", "set", "greeting", "hello"]);
        ws.ok(["config", "set", "marker", marker]);
        ws.ok(["config", "set", "--secret", "sshKey"], { input: fs.readFileSync(path.join(dir, "client"), "utf8") });
    });

    after(() => {
        sshd?.kill();
        ws?.dispose();
    });

    let outputs: Record<string, string>;

    it("creates keys, certificates, random values and runs the command over SSH", () => {
        const up = ws.ok(["up", "--yes", "--skip-preview"]);
        assert.match(up.stdout, /\+ 11 created/); // ten resources and the stack
        outputs = JSON.parse(ws.ok(["stack", "output", "--json", "--show-secrets"]).stdout);
        assert.match(outputs.tokenId, /^[a-z0-9]{6}$/);
        assert.match(outputs.password, /^[a-z0-9]{16}$/);
        assert.equal(Buffer.from(outputs.bytesBase64, "base64").length, 32);
        assert.match(outputs.edOpenssh, /^ssh-ed25519 AAAA\S+\n$/);
        assert.equal(outputs.stdout, `${outputs.tokenId}hello`); // stdin (no newline), then the environment
        const plain = JSON.parse(ws.ok(["stack", "output", "--json"]).stdout);
        assert.equal(plain.password, "[secret]");
        assert.equal(plain.leafKeyPem, "[secret]");
    });

    it("the certificates verify with openssl: CA-signed leaf with its SANs and subject", () => {
        for (const [f, v] of Object.entries({ "ca.pem": outputs.caPem, "leaf.pem": outputs.leafPem, "leaf.key": outputs.leafKeyPem })) fs.writeFileSync(path.join(dir, f), v);
        const verify = spawnSync("openssl", ["verify", "-CAfile", path.join(dir, "ca.pem"), path.join(dir, "leaf.pem")], { encoding: "utf8" });
        assert.equal(verify.status, 0, verify.stdout + verify.stderr);
        const text = spawnSync("openssl", ["x509", "-noout", "-text", "-in", path.join(dir, "leaf.pem")], { encoding: "utf8" }).stdout;
        assert.match(text, /Subject: O ?= ?system:masters, CN ?= ?leaf/);
        assert.match(text, /DNS:leaf\.test, IP Address:127\.0\.0\.1/);
        assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
        const ca = spawnSync("openssl", ["x509", "-noout", "-text", "-in", path.join(dir, "ca.pem")], { encoding: "utf8" }).stdout;
        assert.match(ca, /CA:TRUE/);
        assert.match(ca, /Certificate Sign, CRL Sign/);
        // The key matches the certificate.
        const pub = (args: string[]) => spawnSync("openssl", args, { encoding: "utf8" }).stdout;
        assert.equal(pub(["pkey", "-pubout", "-in", path.join(dir, "leaf.key")]), pub(["x509", "-noout", "-pubkey", "-in", path.join(dir, "leaf.pem")]));
    });

    it("a second up changes nothing", () => {
        ws.ok(["preview", "--expect-no-changes"]);
    });

    it("a changed environment updates the command in place; its new output is used", () => {
        ws.ok(["config", "set", "greeting", "again"]);
        const r = ws.ok(["up", "--yes", "--skip-preview"]);
        assert.match(r.stdout, /1 updated/);
        assert.equal(JSON.parse(ws.ok(["stack", "output", "--json"]).stdout).stdout, `${outputs.tokenId}again`);
    });

    it("destroy runs the delete command with the previous output in its environment", () => {
        ws.ok(["destroy", "--yes", "--skip-preview"]);
        assert.equal(fs.readFileSync(marker, "utf8"), `removed ${outputs.tokenId}again\n`);
    });
});
