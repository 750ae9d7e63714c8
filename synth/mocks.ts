/**
 * Offline stand-ins for the providers the cluster uses, for the synth and the component tests.
 *
 * Outputs are plausible and deterministic where they can be: TLS private keys are real keys
 * (fixed RSA test keys, ED25519 derived from the name, in the formats `@pulumi/tls` emits),
 * certificates are clearly fake PEM blocks, random values are
 * derived from the resource name, and commands print nothing. Unknown types echo their inputs.
 */
import * as crypto from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { SHIPPED_CA_KEYS, TEST_RSA_KEYS } from "./test-keys";

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
// Keys: RSA 2048 from fixed test keys (the product's PKI), ED25519 derived from the name (the
// Azure SSH key, whose public half shows in plans: the same name gives the same key everywhere).

function sshString(b: Buffer | string): Buffer {
    const buf = typeof b === "string" ? Buffer.from(b) : b;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    return Buffer.concat([len, buf]);
}

function u32(n: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b;
}

function pemBlock(label: string, der: Buffer, width = 64): string {
    const b64 = der.toString("base64");
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
    return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** An ED25519 key's OpenSSH public blob and private section, as `ssh-keygen` writes them. */
function ed25519Ssh(key: crypto.KeyObject): { publicBlob: Buffer; privateFields: Buffer } {
    const jwk = key.export({ format: "jwk" }) as crypto.JsonWebKey;
    const x = Buffer.from(jwk.x ?? "", "base64url");
    const publicBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(x)]);
    const d = jwk.d === undefined ? undefined : Buffer.from(jwk.d, "base64url");
    const privateFields = d ? Buffer.concat([sshString("ssh-ed25519"), sshString(x), sshString(Buffer.concat([d, x]))]) : Buffer.alloc(0);
    return { publicBlob, privateFields };
}

function opensshPrivateKey(publicBlob: Buffer, privateFields: Buffer, seed: string): string {
    const check = crypto.createHash("sha256").update(seed).digest().readUInt32BE(0);
    let section = Buffer.concat([u32(check), u32(check), privateFields, sshString("")]);
    const pad: number[] = [];
    for (let i = 1; (section.length + pad.length) % 8 !== 0; i++) pad.push(i);
    section = Buffer.concat([section, Buffer.from(pad)]);
    const body = Buffer.concat([Buffer.from("openssh-key-v1\0"), sshString("none"), sshString("none"), sshString(""), u32(1), sshString(publicBlob), sshString(section)]);
    return pemBlock("OPENSSH PRIVATE KEY", body, 70);
}

/**
 * Key material for a `tls:index/privateKey:PrivateKey`, as `@pulumi/tls` formats it: RSA 2048 from
 * {@link TEST_RSA_KEYS} (picked by the resource name), ED25519 derived from the name; cached for
 * the process. Other algorithms are refused: the product uses none.
 */
export function mockPrivateKey(name: string, inputs: Record<string, unknown>): MockKeyMaterial {
    const algorithm = String(inputs.algorithm ?? "RSA").toUpperCase();
    const cacheKey = `${name}|${algorithm}|${algorithm === "RSA" ? Number(inputs.rsaBits ?? 2048) : ""}|`;
    const cached = keyCache.get(cacheKey);
    if (cached) return cached;
    let material: MockKeyMaterial;
    if (algorithm === "RSA") {
        if (Number(inputs.rsaBits ?? 2048) !== 2048) throw new Error(`tls PrivateKey ${name}: the mocks hold RSA 2048 test keys only`);
        const pick = crypto.createHash("sha256").update(name).digest().readUInt32BE(0) % TEST_RSA_KEYS.length;
        const privateKey = crypto.createPrivateKey(SHIPPED_CA_KEYS[name] ?? TEST_RSA_KEYS[pick]);
        const publicKey = crypto.createPublicKey(privateKey);
        material = {
            privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
            privateKeyPemPkcs8: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
            privateKeyOpenssh: "",
            publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
            publicKeyOpenssh: "",
            publicKeyFingerprintMd5: "",
            publicKeyFingerprintSha256: "",
        };
    } else if (algorithm === "ED25519") {
        const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), streamBytes(cacheKey, 32)]);
        const privateKey = crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
        const publicKey = crypto.createPublicKey(privateKey);
        const { publicBlob, privateFields } = ed25519Ssh(privateKey);
        material = {
            privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
            privateKeyPemPkcs8: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
            privateKeyOpenssh: opensshPrivateKey(publicBlob, privateFields, name),
            publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
            publicKeyOpenssh: `ssh-ed25519 ${publicBlob.toString("base64")}\n`,
            publicKeyFingerprintMd5: (crypto.createHash("md5").update(publicBlob).digest("hex").match(/../g) ?? []).join(":"),
            publicKeyFingerprintSha256: `SHA256:${crypto.createHash("sha256").update(publicBlob).digest("base64").replace(/=+$/, "")}`,
        };
    } else {
        throw new Error(`tls PrivateKey ${name}: algorithm ${algorithm} is not used by hacluster (RSA 2048 for the PKI, ED25519 for SSH)`);
    }
    keyCache.set(cacheKey, material);
    return material;
}

/** A PEM block that is obviously not a certificate (its payload is readable text). */
function fakePem(label: string, name: string): string {
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
