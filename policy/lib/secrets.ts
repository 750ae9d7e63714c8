/**
 * Finds values that must be secret but are not, in raw resource inputs where secrets are
 * `Secret` objects (what `remediateResource` receives). Pure: no policy SDK state.
 */
import * as zlib from "node:zlib";
import { isObject, isSecret, isUnknown } from "./engine";

export type PropertyPath = readonly (string | number)[];

export interface PlainSecret {
    readonly path: PropertyPath;
    readonly message: string;
}

/**
 * Property names that hold credentials, matched on the last name of a path (`connection.privateKey`,
 * `osProfile.adminPassword`, `bootDisk.diskEncryptionKeyRaw`; write-only `...Wo` variants too).
 */
export const SENSITIVE_KEY =
    /(^|[-_a-z0-9])(private[-_]?key([-_]?(pem|openssh|pkcs8))?|password|passphrase|kube[-_]?config([-_]?raw)?|client[-_]?key([-_]?data)?|client[-_]?secret|secret[-_]?(key|string|binary|data)|encryption[-_]?key[-_]?raw|raw[-_]?key|token)(wo)?$/i;

const PEM_PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]{16,}?-----END \1PRIVATE KEY-----/;

/** `"RSA PRIVATE KEY"` etc. when `text` holds a whole PEM private key block. */
function pemPrivateKey(text: string): string | undefined {
    const m = PEM_PRIVATE_KEY.exec(text);
    return m ? `${m[1]}PRIVATE KEY` : undefined;
}

/** A kubeconfig document carrying client credentials (a key, a token or a password). */
function kubeconfigWithCredentials(text: string): boolean {
    if (/client-key-data:\s*\S/.test(text)) return true;
    return /(^|\n)kind:\s*Config\b/.test(text) && /(^|\n)\s*(token|password):\s*\S/.test(text);
}

/** Base64 (optionally gzip) text decoded, for user-data style inputs; undefined when it is not. */
function decodeBase64Text(s: string): string | undefined {
    const compact = s.replace(/\s+/g, "");
    if (compact.length < 64 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
    let buf = Buffer.from(compact, "base64");
    if (buf[0] === 0x1f && buf[1] === 0x8b) {
        try {
            buf = zlib.gunzipSync(buf);
        } catch {
            return undefined;
        }
    }
    const text = buf.toString("utf8");
    return text.includes("\uFFFD") ? undefined : text;
}

function formatPath(path: PropertyPath): string {
    return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

/** Command types whose `-secrets` steps deliver root-only files on stdin. */
const COMMAND_TYPES = new Set(["command:remote:Command", "command:local:Command"]);

/** True for the on-prem component's secrets steps (`<cluster>-<node>-secrets`). */
function isSecretsStep(type: string, name: string): boolean {
    return COMMAND_TYPES.has(type) && name.endsWith("-secrets");
}

/** Inputs that hold a secret store's content, whatever they are called (the clouds' node secrets). */
const SECRET_STORE_INPUTS: Readonly<Record<string, readonly PropertyPath[]>> = {
    "aws:secretsmanager/secretVersion:SecretVersion": [["secretString"], ["secretBinary"]],
    "gcp:secretmanager/secretVersion:SecretVersion": [["secretData"]],
    "azure-native:keyvault:Secret": [["properties", "value"]],
};

/** Paths of a resource's inputs that must be secret (known or not), with why. */
function mustBeSecret(type: string, name: string): { path: PropertyPath; why: string }[] {
    if (isSecretsStep(type, name)) return [{ path: ["stdin"], why: `stdin of the secrets step ${name} is not a secret: it carries CA keys and join tokens` }];
    return (SECRET_STORE_INPUTS[type] ?? []).map((path) => ({ path, why: `${formatPath(path)} is the content of a secret store entry (${type}) but not a Pulumi secret` }));
}

const samePath = (a: PropertyPath, b: PropertyPath) => a.length === b.length && a.every((x, i) => x === b[i]);

const FIX = "Fix: pass it through pulumi.secret(...) (or config set with --secret) so previews, logs and the state never show it";

function plainText(text: string, key: string | undefined, path: PropertyPath): string | undefined {
    const where = formatPath(path);
    const pem = pemPrivateKey(text);
    if (pem) return `${where} holds a PEM private key (${pem}) in plain text. ${FIX}`;
    if (kubeconfigWithCredentials(text)) return `${where} holds a kubeconfig with credentials in plain text. ${FIX}`;
    if (key !== undefined && SENSITIVE_KEY.test(key) && text.trim() !== "") return `${where} is named like a credential (${key}) but is not a secret. ${FIX}`;
    const decoded = decodeBase64Text(text);
    if (decoded !== undefined) {
        const inner = pemPrivateKey(decoded);
        if (inner) return `${where} holds a base64-encoded PEM private key (${inner}) in plain text. ${FIX}`;
        if (kubeconfigWithCredentials(decoded)) return `${where} holds a base64-encoded kubeconfig with credentials in plain text. ${FIX}`;
    }
    return undefined;
}

/**
 * Every plain value of a resource's raw inputs that must be secret: the stdin of a secrets step,
 * credential-named properties, PEM private keys and kubeconfigs with credentials anywhere.
 * Values inside a secret are secret; unknown values are skipped (their secretness is still known,
 * so a plain unknown stdin of a secrets step is reported).
 */
export function plainSecrets(type: string, name: string, raw: unknown): PlainSecret[] {
    const found: PlainSecret[] = [];
    const required = mustBeSecret(type, name);
    const visit = (v: unknown, path: PropertyPath, key: string | undefined): void => {
        if (isSecret(v)) return;
        const req = required.find((r) => samePath(r.path, path));
        if (req && v !== undefined && v !== null) {
            found.push({ path, message: `${req.why}. Fix: wrap it in pulumi.secret(...)` });
            return;
        }
        if (isUnknown(v)) return;
        if (typeof v === "string") {
            const message = plainText(v, key, path);
            if (message) found.push({ path, message });
        } else if (Array.isArray(v)) {
            v.forEach((x, i) => visit(x, [...path, i], key));
        } else if (isObject(v)) {
            for (const k of Object.keys(v)) visit(v[k], [...path, k], k);
        }
    };
    visit(raw, [], undefined);
    return found;
}

/** A copy of `raw` with the values at `paths` replaced by `wrap(value)` (everything else shared). */
export function replaceAt(raw: unknown, paths: readonly PropertyPath[], wrap: (v: unknown) => unknown): unknown {
    const at = (v: unknown, path: PropertyPath): unknown => {
        if (path.length === 0) return wrap(v);
        const [seg, ...rest] = path;
        if (Array.isArray(v) && typeof seg === "number") return v.map((x, i) => (i === seg ? at(x, rest) : x));
        if (isObject(v) && typeof seg === "string") return { ...v, [seg]: at(v[seg], rest) };
        return v;
    };
    return paths.reduce(at, raw);
}
