import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { clearMockKeyCache, mockPrivateKey, mockRandomString, SynthMocks } from "../../synth/mocks";

const mocks = new SynthMocks();
const state = (type: string, name: string, inputs: Record<string, unknown>) => mocks.newResource({ type, name, inputs, custom: true }).state;
const KEY = "tls:index/privateKey:PrivateKey";

/** Decodes an OpenSSH public key line into its wire fields. */
function sshFields(line: string): Buffer[] {
    const blob = Buffer.from(line.trim().split(" ")[1], "base64");
    const out: Buffer[] = [];
    for (let i = 0; i < blob.length; ) {
        const n = blob.readUInt32BE(i);
        out.push(blob.subarray(i + 4, i + 4 + n));
        i += 4 + n;
    }
    return out;
}

describe("synth mocks: tls private keys", () => {
    it("rsa 2048 (the PKI's): a fixed test key in the tls provider's PEM formats", () => {
        const s = state(KEY, "key-rsa", { algorithm: "RSA", rsaBits: 2048 });
        assert.equal(s.algorithm, "RSA", "inputs are kept in the state");
        assert.ok((s.privateKeyPem as string).startsWith("-----BEGIN RSA PRIVATE KEY-----\n"));
        assert.ok((s.privateKeyPemPkcs8 as string).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        const priv = crypto.createPrivateKey(s.privateKeyPem as string);
        assert.equal(priv.asymmetricKeyType, "rsa");
        assert.equal(priv.asymmetricKeyDetails?.modulusLength, 2048);
        const pub = crypto.createPublicKey(priv).export({ type: "spki", format: "pem" }).toString();
        assert.equal(s.publicKeyPem, pub, "the public PEM matches the private key");
        assert.equal(crypto.createPublicKey(s.privateKeyPemPkcs8 as string).export({ type: "spki", format: "pem" }).toString(), pub);
    });
    it("ed25519 (Azure's SSH key): derived from the name, with its OpenSSH forms", () => {
        const s = state(KEY, "key-ed", { algorithm: "ED25519" });
        assert.ok((s.privateKeyOpenssh as string).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        const line = s.publicKeyOpenssh as string;
        assert.ok(line.startsWith("ssh-ed25519 ") && line.endsWith("\n"));
        const jwk = crypto.createPublicKey(s.publicKeyPem as string).export({ format: "jwk" });
        assert.deepEqual(sshFields(line)[1], Buffer.from(jwk.x as string, "base64url"));
        assert.match(s.publicKeyFingerprintSha256 as string, /^SHA256:[A-Za-z0-9+/]{43}$/);
        assert.match(s.publicKeyFingerprintMd5 as string, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    });
    it("the same name and settings give the same key in every run (stable plans)", () => {
        for (const inputs of [{ algorithm: "RSA", rsaBits: 2048 }, { algorithm: "ED25519" }]) {
            const first = mockPrivateKey("stable", inputs);
            clearMockKeyCache();
            assert.deepEqual(mockPrivateKey("stable", inputs), first);
        }
        assert.notEqual(mockPrivateKey("a", { algorithm: "ED25519" }).privateKeyPem, mockPrivateKey("b", { algorithm: "ED25519" }).privateKeyPem);
    });
    it("refuses what the product never asks for", () => {
        assert.throws(() => mockPrivateKey("x", { algorithm: "ECDSA", ecdsaCurve: "P256" }), /not used by hacluster/);
        assert.throws(() => mockPrivateKey("x", { algorithm: "RSA", rsaBits: 4096 }), /RSA 2048 test keys only/);
    });
});

describe("synth mocks: other resources", () => {
    it("certificates and requests are clearly fake PEM blocks", () => {
        for (const t of ["tls:index/selfSignedCert:SelfSignedCert", "tls:index/locallySignedCert:LocallySignedCert"]) {
            const pem = state(t, "apiserver", {}).certPem as string;
            assert.match(pem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
            assert.match(Buffer.from(pem.split("\n").slice(1, -2).join(""), "base64").toString(), /mock .*apiserver/);
        }
        assert.match(state("tls:index/certRequest:CertRequest", "csr", {}).certRequestPem as string, /^-----BEGIN CERTIFICATE REQUEST-----/);
    });
    it("random values are deterministic and honour length and classes", () => {
        const t = "random:index/randomPassword:RandomPassword";
        const a = state(t, "pw", { length: 32 }).result as string;
        assert.equal(a, state(t, "pw", { length: 32 }).result);
        assert.notEqual(a, state(t, "pw2", { length: 32 }).result);
        assert.equal(a.length, 32);
        const s = state("random:index/randomString:RandomString", "tok", { length: 40, upper: false, special: false, numeric: false }).result as string;
        assert.match(s, /^[a-z]{40}$/);
        assert.match(mockRandomString("n", { length: 50, upper: false, lower: false, special: false }), /^[0-9]{50}$/);
        assert.match(mockRandomString("x", { length: 12, special: true, overrideSpecial: "_", minSpecial: 3 }), /^(?=(?:[^_]*_){3})[A-Za-z0-9_]{12}$/);
        assert.equal(mockRandomString("z", { length: 0 }), "");
    });
    it("commands print nothing; default id is <name>-id; components get none; calls return {}", () => {
        for (const t of ["command:remote:Command", "command:local:Command"]) {
            const r = mocks.newResource({ type: t, name: "c", inputs: { create: "true" }, custom: true });
            assert.deepEqual(r, { id: "c-id", state: { create: "true", stdout: "", stderr: "" } });
        }
        assert.equal(mocks.newResource({ type: "x:y:Z", name: "comp", inputs: {}, custom: false }).id, undefined);
        assert.deepEqual(mocks.call({ token: "aws:index/getAvailabilityZones:getAvailabilityZones", inputs: {} }), {});
    });
    it("accepts extra outputs and call results", () => {
        const m = new SynthMocks({ outputs: { "x:y:Z": (a) => ({ ip: `ip-of-${a.name}` }) }, calls: { "x:f": () => ({ a: 1 }) } });
        assert.equal(m.newResource({ type: "x:y:Z", name: "n", inputs: {}, custom: true }).state.ip, "ip-of-n");
        assert.deepEqual(m.call({ token: "x:f", inputs: {} }), { a: 1 });
    });
});
