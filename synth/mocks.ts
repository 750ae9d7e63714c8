/**
 * Offline stand-ins for the providers the cluster uses, for the synth and the component tests.
 *
 * Outputs are plausible and deterministic where they can be: TLS private keys are real keys
 * (generated once per resource name and cached for the process, so the PEM/OpenSSH formats
 * match what `@pulumi/tls` emits), certificates are clearly fake PEM blocks, random values are
 * derived from the resource name, and commands print nothing. Unknown types echo their inputs.
 */
import * as crypto from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

type MockResourceArgs = pulumi.runtime.MockResourceArgs;
type MockResourceResult = pulumi.runtime.MockResourceResult;
type MockCallArgs = pulumi.runtime.MockCallArgs;
type MockCallResult = pulumi.runtime.MockCallResult;

/** Options of {@link SynthMocks}. */
export interface SynthMocksOptions {
    /**
     * Extra outputs per resource type token, merged over the computed state. A function receives
     * the mock arguments and returns the outputs to add (or override).
     */
    readonly outputs?: Readonly<Record<string, (args: MockResourceArgs) => Record<string, unknown>>>;
    /** Results of provider functions by token (`call`); unknown tokens return `{}`. */
    readonly calls?: Readonly<Record<string, (args: MockCallArgs) => MockCallResult>>;
    /**
     * Answer as the engine does in the first preview of a new stack: custom resources get their
     * inputs back and no computed output (run the program with preview = true so the SDK makes
     * the missing outputs unknown). What depends on a key, certificate, random value or command
     * output is then unknown, as `pulumi preview` shows it.
     */
    readonly firstPreview?: boolean;
}

/** The generated material of one `tls:index/privateKey:PrivateKey`. */
export interface MockKeyMaterial {
    readonly privateKeyPem: string;
    readonly privateKeyPemPkcs8: string;
    readonly privateKeyOpenssh: string;
    readonly publicKeyPem: string;
    readonly publicKeyOpenssh: string;
    readonly publicKeyFingerprintMd5: string;
    readonly publicKeyFingerprintSha256: string;
}

const keyCache = new Map<string, MockKeyMaterial>();

/** Forgets the generated keys (they are derived again, identically, on next use). */
export function clearMockKeyCache(): void {
    keyCache.clear();
}

// ---------------------------------------------------------------------------------------------
// OpenSSH wire encoding

function sshString(b: Buffer | string): Buffer {
    const buf = typeof b === "string" ? Buffer.from(b) : b;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    return Buffer.concat([len, buf]);
}

function sshMpint(b: Buffer): Buffer {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v.length > 0 && (v[0] & 0x80) !== 0) v = Buffer.concat([Buffer.from([0]), v]);
    return sshString(v);
}

function u32(n: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b;
}

const b64u = (s: string | undefined): Buffer => Buffer.from(s ?? "", "base64url");

interface SshParts {
    readonly type: string;
    readonly publicBlob: Buffer;
    readonly privateFields: Buffer;
}

const SSH_CURVES: Record<string, string> = { "P-256": "nistp256", "P-384": "nistp384", "P-521": "nistp521" };

/** OpenSSH knows these EC curves only (P-224 keys have no OpenSSH form, as in @pulumi/tls). */
const SSH_EC_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);

function sshParts(key: crypto.KeyObject): SshParts | undefined {
    if (key.asymmetricKeyType === "ec" && !SSH_EC_CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? "")) return undefined;
    const jwk = key.export({ format: "jwk" }) as crypto.JsonWebKey;
    switch (jwk.kty) {
        case "RSA": {
            const pub = Buffer.concat([sshString("ssh-rsa"), sshMpint(b64u(jwk.e)), sshMpint(b64u(jwk.n))]);
            const priv = Buffer.concat([
                sshString("ssh-rsa"),
                sshMpint(b64u(jwk.n)),
                sshMpint(b64u(jwk.e)),
                sshMpint(b64u(jwk.d)),
                sshMpint(b64u(jwk.qi)),
                sshMpint(b64u(jwk.p)),
                sshMpint(b64u(jwk.q)),
            ]);
            return { type: "ssh-rsa", publicBlob: pub, privateFields: priv };
        }
        case "EC": {
            const curve = SSH_CURVES[jwk.crv ?? ""];
            if (!curve) return undefined;
            const type = `ecdsa-sha2-${curve}`;
            const q = Buffer.concat([Buffer.from([4]), b64u(jwk.x), b64u(jwk.y)]);
            const pub = Buffer.concat([sshString(type), sshString(curve), sshString(q)]);
            const priv = Buffer.concat([sshString(type), sshString(curve), sshString(q), sshMpint(b64u(jwk.d))]);
            return { type, publicBlob: pub, privateFields: priv };
        }
        case "OKP": {
            const x = b64u(jwk.x);
            const pub = Buffer.concat([sshString("ssh-ed25519"), sshString(x)]);
            const priv = Buffer.concat([sshString("ssh-ed25519"), sshString(x), sshString(Buffer.concat([b64u(jwk.d), x]))]);
            return { type: "ssh-ed25519", publicBlob: pub, privateFields: priv };
        }
        default:
            return undefined;
    }
}

function pemBlock(label: string, der: Buffer, width = 64): string {
    const b64 = der.toString("base64");
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
    return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function opensshPrivateKey(parts: SshParts, seed: string): string {
    const check = crypto.createHash("sha256").update(seed).digest().readUInt32BE(0);
    let section = Buffer.concat([u32(check), u32(check), parts.privateFields, sshString("")]);
    const pad: number[] = [];
    for (let i = 1; (section.length + pad.length) % 8 !== 0; i++) pad.push(i);
    section = Buffer.concat([section, Buffer.from(pad)]);
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0"),
        sshString("none"),
        sshString("none"),
        sshString(""),
        u32(1),
        sshString(parts.publicBlob),
        sshString(section),
    ]);
    return pemBlock("OPENSSH PRIVATE KEY", body, 70);
}

// ---------------------------------------------------------------------------------------------
// Deterministic key generation: the same resource name gives the same key in every process, so
// public keys in plan.json and node files do not change between runs (the plan is diffed).

function bigFrom(b: Buffer): bigint {
    return b.length === 0 ? 0n : BigInt(`0x${b.toString("hex")}`);
}

function bigBytes(n: bigint, length?: number): Buffer {
    let hex = n.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    const b = Buffer.from(hex, "hex");
    return length === undefined || b.length >= length ? b : Buffer.concat([Buffer.alloc(length - b.length), b]);
}

function modInverse(a: bigint, m: bigint): bigint {
    let [oldR, r] = [((a % m) + m) % m, m];
    let [oldS, s] = [1n, 0n];
    while (r !== 0n) {
        const q = oldR / r;
        [oldR, r] = [r, oldR - q * r];
        [oldS, s] = [s, oldS - q * s];
    }
    if (oldR !== 1n) throw new Error("no modular inverse");
    return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
    while (b !== 0n) [a, b] = [b, a % b];
    return a;
}

/** Odd primes below 4000, for trial division before the (costly) Miller-Rabin test. */
const SMALL_PRIMES: number[] = (() => {
    const out: number[] = [];
    for (let n = 3; n < 4000; n += 2) if (out.every((p) => p * p > n || n % p !== 0)) out.push(n);
    return out;
})();

/** A prime of exactly `bits` bits (top two bits set) found from a seeded start, with gcd(p-1, e) = 1. */
function seededPrime(seed: string, bits: number, e: bigint): bigint {
    const bytes = streamBytes(seed, Math.ceil(bits / 8));
    let p = bigFrom(bytes) >> BigInt(bytes.length * 8 - bits);
    p |= (3n << BigInt(bits - 2)) | 1n;
    const residues = SMALL_PRIMES.map((sp) => Number(p % BigInt(sp)));
    for (let step = 0; ; step += 2) {
        if (SMALL_PRIMES.every((sp, i) => (residues[i] + step) % sp !== 0)) {
            const candidate = p + BigInt(step);
            if (crypto.checkPrimeSync(candidate) && gcd(candidate - 1n, e) === 1n) return candidate;
        }
    }
}

function deterministicRsa(seed: string, bits: number): crypto.KeyObject {
    if (!Number.isInteger(bits) || bits < 1024 || bits > 8192) throw new Error(`rsaBits must be 1024..8192, got ${bits}`);
    const e = 65537n;
    for (let attempt = 0; ; attempt++) {
        const p = seededPrime(`${seed}/p/${attempt}`, bits - Math.floor(bits / 2), e);
        const q = seededPrime(`${seed}/q/${attempt}`, Math.floor(bits / 2), e);
        const n = p * q;
        if (p === q || n.toString(2).length !== bits) continue;
        const d = modInverse(e, (p - 1n) * (q - 1n));
        const b = (x: bigint) => bigBytes(x).toString("base64url");
        const jwk = { kty: "RSA", n: b(n), e: b(e), d: b(d), p: b(p), q: b(q), dp: b(d % (p - 1n)), dq: b(d % (q - 1n)), qi: b(modInverse(q, p)) };
        return crypto.createPrivateKey({ key: jwk, format: "jwk" });
    }
}

/** Curve → [OpenSSL name, DER OID, private key bytes]. */
const EC_CURVES: Record<string, [string, string, number]> = {
    P224: ["secp224r1", "06052b81040021", 28],
    P256: ["prime256v1", "06082a8648ce3d030107", 32],
    P384: ["secp384r1", "06052b81040022", 48],
    P521: ["secp521r1", "06052b81040023", 66],
};

function derLength(n: number): Buffer {
    if (n < 0x80) return Buffer.from([n]);
    const b = bigBytes(BigInt(n));
    return Buffer.concat([Buffer.from([0x80 | b.length]), b]);
}

function der(tag: number, body: Buffer): Buffer {
    return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function deterministicEc(seed: string, curve: string): crypto.KeyObject {
    const spec = EC_CURVES[curve];
    if (!spec) throw new Error(`unsupported ecdsaCurve ${curve}`);
    const [opensslName, oid, size] = spec;
    const d = streamBytes(seed, size);
    d[0] = size === 66 ? 0 : d[0] & 0x7f; // below the group order (every order here starts 0xff.. / 0x01ff..)
    if (d.every((x) => x === 0)) d[size - 1] = 1;
    const ecdh = crypto.createECDH(opensslName);
    ecdh.setPrivateKey(d);
    const pub = ecdh.getPublicKey();
    const sec1 = der(
        0x30,
        Buffer.concat([
            der(0x02, Buffer.from([1])),
            der(0x04, d),
            der(0xa0, Buffer.from(oid, "hex")),
            der(0xa1, der(0x03, Buffer.concat([Buffer.from([0]), pub]))),
        ]),
    );
    return crypto.createPrivateKey({ key: sec1, format: "der", type: "sec1" });
}

function deterministicEd25519(seed: string): crypto.KeyObject {
    const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), streamBytes(seed, 32)]);
    return crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
}

/**
 * Key material for a `tls:index/privateKey:PrivateKey`, as `@pulumi/tls` formats it: a real key,
 * derived deterministically from the resource name and settings, cached for the process.
 */
export function mockPrivateKey(name: string, inputs: Record<string, unknown>): MockKeyMaterial {
    const algorithm = String(inputs.algorithm ?? "RSA").toUpperCase();
    const rsaBits = Number(inputs.rsaBits ?? 2048);
    const curveName = String(inputs.ecdsaCurve ?? "P224").toUpperCase();
    const cacheKey = `${name}|${algorithm}|${algorithm === "RSA" ? rsaBits : ""}|${algorithm === "ECDSA" ? curveName : ""}`;
    const cached = keyCache.get(cacheKey);
    if (cached) return cached;

    let privateKey: crypto.KeyObject;
    let privateKeyPem: string;
    try {
        if (algorithm === "RSA") {
            privateKey = deterministicRsa(cacheKey, rsaBits);
            privateKeyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
        } else if (algorithm === "ECDSA") {
            privateKey = deterministicEc(cacheKey, curveName);
            privateKeyPem = privateKey.export({ type: "sec1", format: "pem" }).toString();
        } else if (algorithm === "ED25519") {
            privateKey = deterministicEd25519(cacheKey);
            privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
        } else {
            throw new Error(`unsupported algorithm ${algorithm}`);
        }
    } catch (e) {
        throw new Error(`tls PrivateKey ${name}: ${(e as Error).message}`);
    }
    const publicKey = crypto.createPublicKey(privateKey);
    const parts = sshParts(publicKey);
    const privParts = sshParts(privateKey);
    const material: MockKeyMaterial = {
        privateKeyPem,
        privateKeyPemPkcs8: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        privateKeyOpenssh: privParts ? opensshPrivateKey(privParts, name) : "",
        publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
        publicKeyOpenssh: parts ? `${parts.type} ${parts.publicBlob.toString("base64")}\n` : "",
        publicKeyFingerprintMd5: parts ? (crypto.createHash("md5").update(parts.publicBlob).digest("hex").match(/../g) ?? []).join(":") : "",
        publicKeyFingerprintSha256: parts ? `SHA256:${crypto.createHash("sha256").update(parts.publicBlob).digest("base64").replace(/=+$/, "")}` : "",
    };
    keyCache.set(cacheKey, material);
    return material;
}

/** A PEM block that is obviously not a certificate (its payload is readable text). */
export function fakePem(label: string, name: string): string {
    return pemBlock(label, Buffer.from(`hacluster synth mock ${label.toLowerCase()} for ${name}; not a real ${label.toLowerCase()}`));
}

// ---------------------------------------------------------------------------------------------
// Random values

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** Deterministic bytes from a seed (SHA-256 in counter mode). */
/** A deterministic UUID-shaped id. */
function mockUuid(seed: string): string {
    const h = streamBytes(seed, 16).toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A deterministic address in TEST-NET-3 (203.0.113.0/24), reserved for documentation. */
function testNetAddress(seed: string): string {
    return `203.0.113.${1 + (streamBytes(seed, 1)[0] % 254)}`;
}

function streamBytes(seed: string, n: number): Buffer {
    const chunks: Buffer[] = [];
    for (let i = 0; chunks.length * 32 < n; i++) chunks.push(crypto.createHash("sha256").update(`${seed}#${i}`).digest());
    return Buffer.concat(chunks).subarray(0, n);
}

/** A deterministic string from `name` honouring the random provider's length and class flags. */
export function mockRandomString(name: string, inputs: Record<string, unknown>): string {
    const length = Math.max(0, Number(inputs.length ?? 16));
    const flag = (k: string) => inputs[k] !== false;
    const special = typeof inputs.overrideSpecial === "string" ? inputs.overrideSpecial : SPECIAL;
    const classes: { chars: string; min: number }[] = [];
    if (flag("upper")) classes.push({ chars: UPPER, min: Number(inputs.minUpper ?? 0) });
    if (flag("lower")) classes.push({ chars: LOWER, min: Number(inputs.minLower ?? 0) });
    if (flag("numeric") && flag("number")) classes.push({ chars: DIGITS, min: Number(inputs.minNumeric ?? 0) });
    if (flag("special") && special !== "") classes.push({ chars: special, min: Number(inputs.minSpecial ?? 0) });
    if (classes.length === 0) throw new Error(`random value ${name}: every character class is disabled`);
    const all = classes.map((c) => c.chars).join("");
    const bytes = streamBytes(name, length * 2 + 8);
    const out: string[] = [];
    let b = 0;
    for (const c of classes) for (let i = 0; i < c.min && out.length < length; i++) out.push(c.chars[bytes[b++] % c.chars.length]);
    while (out.length < length) out.push(all[bytes[b++] % all.length]);
    // Deterministic shuffle so required characters are not all in front.
    for (let i = out.length - 1; i > 0; i--) {
        const j = bytes[(b + i) % bytes.length] % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out.join("");
}

// ---------------------------------------------------------------------------------------------

/**
 * Provider mocks for `pulumi.runtime.setMocks` (component tests) and the offline synth.
 *
 * `newResource` returns `{ id: "<name>-id", state: inputs + computed outputs }` for custom
 * resources (components get no id); computed outputs cover `@pulumi/tls` keys, certificates and
 * requests, `@pulumi/random` values and `@pulumi/command` commands. `call` returns `{}` unless
 * a result is configured.
 *
 * @param options extra per-type outputs and call results; both optional.
 */
export class SynthMocks implements pulumi.runtime.Mocks {
    constructor(private readonly options: SynthMocksOptions = {}) {}

    newResource(args: MockResourceArgs): MockResourceResult {
        const inputs: Record<string, unknown> = { ...(args.inputs ?? {}) };
        // A real first preview knows no provider output of a resource it is about to create: the
        // engine sends them back unknown. Left out here, the SDK (mocks in preview) makes them unknown too.
        if (this.options.firstPreview && args.custom !== false) return { id: undefined, state: inputs };
        const computed = this.computed(args.type, args.name, inputs);
        const extra = this.options.outputs?.[args.type]?.(args) ?? {};
        const id = args.custom === false ? undefined : (args.id || `${args.name}-id`);
        return { id, state: { ...inputs, ...computed, ...extra } };
    }

    call(args: MockCallArgs): MockCallResult {
        return this.options.calls?.[args.token]?.(args) ?? {};
    }

    private computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
        switch (type) {
            case "tls:index/privateKey:PrivateKey":
                return { ...mockPrivateKey(name, inputs) };
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/locallySignedCert:LocallySignedCert":
                return {
                    certPem: fakePem("CERTIFICATE", name),
                    validityStartTime: "2025-01-01T00:00:00Z",
                    validityEndTime: "2035-01-01T00:00:00Z",
                    readyForRenewal: false,
                };
            case "tls:index/certRequest:CertRequest":
                return { certRequestPem: fakePem("CERTIFICATE REQUEST", name) };
            case "random:index/randomPassword:RandomPassword": {
                const result = mockRandomString(name, inputs);
                return { result, bcryptHash: `$2a$10$${crypto.createHash("sha256").update(result).digest("base64").slice(0, 53)}` };
            }
            case "random:index/randomString:RandomString":
                return { result: mockRandomString(name, inputs) };
            case "random:index/randomBytes:RandomBytes": {
                const bytes = streamBytes(name, Number(inputs.length ?? 32));
                return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
            }
            case "random:index/randomId:RandomId": {
                const bytes = streamBytes(name, Number(inputs.byteLength ?? 8));
                const prefix = typeof inputs.prefix === "string" ? inputs.prefix : "";
                return {
                    hex: prefix + bytes.toString("hex"),
                    b64Std: prefix + bytes.toString("base64"),
                    b64Url: prefix + bytes.toString("base64url"),
                    dec: prefix + BigInt(`0x${bytes.toString("hex") || "0"}`).toString(),
                };
            }
            case "random:index/randomUuid:RandomUuid": {
                const h = streamBytes(name, 16).toString("hex");
                return { result: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}` };
            }
            case "random:index/randomInteger:RandomInteger": {
                const min = Number(inputs.min ?? 0);
                const max = Number(inputs.max ?? min);
                return { result: min + (streamBytes(name, 4).readUInt32BE(0) % (max - min + 1)) };
            }
            case "command:remote:Command":
            case "command:local:Command":
                return { stdout: "", stderr: "" };
            // Cloud outputs that flow into certificates and endpoints: documentation-range values.
            case "aws:lb/loadBalancer:LoadBalancer":
                return { dnsName: `${name}-${streamBytes(name, 4).toString("hex")}.elb.amazonaws.com`, zoneId: "Z0MOCKELBZONE", arn: `arn:aws:elasticloadbalancing:mock:000000000000:loadbalancer/net/${name}` };
            case "aws:ec2/eip:Eip":
                return { publicIp: testNetAddress(name), allocationId: `eipalloc-${streamBytes(name, 8).toString("hex")}` };
            case "gcp:compute/address:Address":
                return { address: inputs.address ?? testNetAddress(name), selfLink: `https://www.googleapis.com/compute/v1/mock/addresses/${name}` };
            case "azure-native:network:PublicIPAddress":
                return { ipAddress: testNetAddress(name) };
            case "azure-native:managedidentity:UserAssignedIdentity":
                return { clientId: mockUuid(`client/${name}`), principalId: mockUuid(`principal/${name}`), tenantId: "00000000-0000-0000-0000-000000000000" };
            default:
                return {};
        }
    }
}
