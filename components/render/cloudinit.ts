/**
 * cloud-init user-data for cloud nodes (pure: no Pulumi, no I/O).
 *
 * The cloud-config is built as an object and serialised with `yaml`: the node script from
 * `renderScript()` (script.ts) goes to `write_files` (root, 0700) and `runcmd` runs it once per instance
 * (cloud-init's `scripts_user` frequency), its output appended to
 * {@link BOOTSTRAP_LOG} and copied to cloud-init's own output log (so it also shows in the cloud
 * console). A failing script fails `runcmd`, which `cloud-init status` reports as an error.
 *
 * Size: EC2 rejects user-data above 16 KiB ({@link EC2_USER_DATA}, counted before the
 * base64 encoding the API uses); GCE metadata allows 256 KiB per value and Azure custom data 64 KiB.
 * Check with {@link userDataSize}; when a node's user-data is too large, pass
 * {@link gzipUserDataBase64} as the provider's base64 user-data (e.g. `userDataBase64` on EC2):
 * cloud-init recognises gzip by its magic bytes and decompresses it before parsing.
 */
import { gunzipSync, gzipSync } from "zlib";
import { Document, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { BOOTSTRAP_LOG, BOOTSTRAP_SCRIPT } from "./paths";

/** Input of {@link renderCloudInit}. */
export interface CloudInitInput {
    /** Hostname to set (RFC 1123: dot-separated labels of letters, digits and `-`). Unset: the cloud's. */
    readonly hostname?: string;
    /** A node script from `renderScript()` in script.ts. */
    readonly script: string;
    /** Where the script is written. @default /var/lib/hacluster/bootstrap.sh */
    readonly scriptPath?: string;
}

/** A cloud's limit on user-data, in bytes before base64, and whether it takes gzip. */
export interface UserDataLimit {
    readonly bytes: number;
    readonly gzip: boolean;
    /** Names the limit in errors. */
    readonly name: string;
}

/** EC2: 16 KiB before base64; cloud-init takes gzip (launch templates: base64 only). */
export const EC2_USER_DATA: UserDataLimit = { bytes: 16 * 1024, gzip: true, name: "EC2's 16 KiB limit" };
/** GCE: one instance metadata value (`user-data`) holds 256 KiB; metadata takes text only. */
export const GCE_METADATA_VALUE: UserDataLimit = { bytes: 256 * 1024, gzip: false, name: "GCE's 256 KiB metadata value limit" };
/** Azure: custom data of 64 KiB (decoded). */
export const AZURE_CUSTOM_DATA: UserDataLimit = { bytes: 65535, gzip: true, name: "Azure's 64 KiB custom data limit" };

const HEADER = "#cloud-config\n";
const PATH_RE = /^\/[A-Za-z0-9._/+-]*[A-Za-z0-9._+-]$/;
const LABEL_RE = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The bash command `runcmd` runs: the script, its output to the log and to cloud-init's log. */
export function bootstrapCommand(scriptPath: string): string {
    return `umask 077; set -o pipefail; bash ${scriptPath} 2>&1 | tee -a ${BOOTSTRAP_LOG}`;
}

function checkHostname(hostname: string): void {
    if (hostname.length > 253 || !hostname.split(".").every((l) => LABEL_RE.test(l))) {
        throw new Error(
            `cloud-init: hostname ${JSON.stringify(hostname)} must be RFC 1123: dot-separated labels of 1-63 letters, digits and "-", not starting or ending with "-"`,
        );
    }
}

/** Renders `#cloud-config` user-data that writes and runs the node script. */
export function renderCloudInit(input: CloudInitInput): string {
    const scriptPath = input.scriptPath ?? BOOTSTRAP_SCRIPT;
    if (!PATH_RE.test(scriptPath) || scriptPath.split("/").includes("..")) {
        throw new Error(
            `cloud-init: scriptPath must be an absolute file path of [A-Za-z0-9._/+-] without "..", got ${JSON.stringify(scriptPath)}`,
        );
    }
    if (input.script.trim() === "") throw new Error("cloud-init: script must not be empty");
    if (input.hostname !== undefined) checkHostname(input.hostname);
    const config: Record<string, unknown> = {};
    if (input.hostname !== undefined) config.hostname = input.hostname;
    config.write_files = [{ path: scriptPath, owner: "root:root", permissions: "0700", content: input.script }];
    config.runcmd = [["bash", "-c", bootstrapCommand(scriptPath)]];
    const doc = new Document(config);
    const command = doc.getIn(["runcmd", 0], true);
    if (isSeq(command)) command.flow = true; // `- [bash, -c, "..."]`
    // Always a literal block (yaml falls back to double quotes when it cannot be one): a plain
    // scalar would be both unreadable and, with a tab inside, unparseable by PyYAML (cloud-init).
    const content = doc.getIn(["write_files", 0, "content"], true);
    if (isScalar(content)) content.type = "BLOCK_LITERAL";
    const shell = doc.getIn(["runcmd", 0, 2], true);
    if (isScalar(shell)) shell.type = "QUOTE_DOUBLE";
    return HEADER + doc.toString({ lineWidth: 0, blockQuote: "literal" });
}

/** Bytes the provider counts: UTF-8 length of the user-data as given (before any base64). */
export function userDataSize(text: string): number {
    return Buffer.byteLength(text, "utf8");
}

/** gzip (level 9) then base64: for a provider's base64 user-data field. The raw size is `Buffer.from(b64, "base64").length`. */
export function gzipUserDataBase64(text: string): string {
    return gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64");
}

/** User-data as a cloud takes it: plain (readable in previews) when it fits, else gzip. */
export interface UserData {
    /** The cloud-config text. */
    readonly text: string;
    /** Base64 of what the machine receives: the text, or its gzip. */
    readonly base64: string;
    readonly gzipped: boolean;
}

/** A node script as user-data within `limit`; throws (naming `what`) when even gzip does not fit. */
export function cloudUserData(script: string, limit: UserDataLimit, what: string, hostname?: string): UserData {
    const text = renderCloudInit({ script, ...(hostname ? { hostname } : {}) });
    const size = userDataSize(text);
    if (size <= limit.bytes) return { text, base64: Buffer.from(text, "utf8").toString("base64"), gzipped: false };
    if (limit.gzip) {
        const base64 = gzipUserDataBase64(text);
        if (Buffer.from(base64, "base64").length <= limit.bytes) return { text, base64, gzipped: true };
    }
    throw new Error(`user-data of ${what} is ${size} bytes, above ${limit.name}${limit.gzip ? " even gzipped" : ""}`);
}

/**
 * The cloud-config text of user-data as a cloud receives it: plain, base64 or gzip+base64
 * ({@link UserData}); undefined when it is none of them.
 */
export function cloudConfigText(userData: string): string | undefined {
    if (userData.startsWith(HEADER)) return userData;
    const b64 = userData.trim();
    if (b64.length < 16 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
    let raw = Buffer.from(b64, "base64");
    if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
        try {
            raw = gunzipSync(raw);
        } catch {
            return undefined;
        }
    }
    const text = raw.toString("utf8");
    return text.startsWith(HEADER) ? text : undefined;
}

/**
 * The node script embedded by {@link renderCloudInit} (the `write_files` entry whose path `runcmd`
 * runs), from user-data as {@link cloudConfigText} reads it. Undefined when the user-data is not a cloud-config
 * or carries no such script; throws when it is a cloud-config but not valid YAML.
 */
export function scriptFromCloudInit(userData: string): string | undefined {
    const text = cloudConfigText(userData);
    if (text === undefined) return undefined;
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`cloud-init: user-data is not valid YAML: ${doc.errors[0].message}`);
    if (!isMap(doc.contents)) return undefined;
    const config = doc.toJS() as Record<string, unknown>;
    const runcmd = isSeq(doc.get("runcmd")) ? (config.runcmd as unknown[]) : [];
    const commands = runcmd.map((c) => (Array.isArray(c) ? c.map(String).join(" ") : String(c)));
    const files = isSeq(doc.get("write_files")) ? (config.write_files as unknown[]) : [];
    for (const f of files) {
        if (typeof f !== "object" || f === null) continue;
        const { path, content } = f as { path?: unknown; content?: unknown };
        if (typeof path !== "string" || typeof content !== "string") continue;
        const runs = new RegExp(`(^|\\s)${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|$)`);
        if (commands.some((c) => runs.test(c))) return content;
    }
    return undefined;
}
