/**
 * One validator per kind of value the configuration holds — names, addresses, numbers, node
 * labels, component flags, one-line text — shared by every platform and family. The schema
 * builds its fields from these, and the cross-field rules call the same predicates, so a kind of
 * value is checked by one rule with one message wherever it appears.
 *
 * Texts carry their fix after a `|` (split by `load.ts`); `(got <value>)` is added there.
 */
import { z } from "zod";
import { isIPv4 } from "./net";

/** A DNS label (RFC 1123): node, cluster, pool and zone names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A DNS name of labels, at most 253 characters. */
export const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
/** A DNS name, or a wildcard name (`*.example.com`) as certificates take it. */
const SAN_NAME = /^(?=.{1,253}$)(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** Control characters (newline, tab, escape, ...): never part of a value that reaches a node. */
const CONTROL = /[\u0000-\u001f\u007f]/;

// ---------------------------------------------------------------------------------------------
// Numbers

/**
 * A whole number in a range; one text for the wrong type and the wrong value:
 * "must be a whole number from 10 to 5000" / "must be a whole number, 0 or more".
 */
export function wholeNumber(min: number, max?: number, fix?: string) {
    const range = max === undefined ? `, ${min} or more` : ` from ${min} to ${max}`;
    const error = `must be a whole number${range}|${fix ?? (max === undefined ? `use ${min} or more` : `use a number from ${min} to ${max}`)}`;
    const s = z.int({ error }).min(min, { error });
    return max === undefined ? s : s.max(max, { error });
}

/** A number (fractions allowed) in a range. */
export function decimalNumber(min: number, max: number, fix?: string) {
    const error = `must be a number from ${min} to ${max}|${fix ?? `use a number from ${min} to ${max}`}`;
    return z.number({ error }).min(min, { error }).max(max, { error });
}

/** A TCP port. */
export const port = wholeNumber(1, 65535, "use a TCP port from 1 to 65535");

// ---------------------------------------------------------------------------------------------
// Names and addresses

export const dnsLabel = (what: string) => {
    const error = `${what} must be a DNS label|use lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit`;
    return z.string({ error }).regex(DNS_LABEL, { error });
};
export const dnsName = (fix: string) => z.string().regex(DNS_NAME, { error: `must be a DNS name|${fix}` });
export const ipv4 = z.ipv4({ error: "must be an IPv4 address|write it as four dotted numbers, e.g. 10.0.0.10" });
export const cidr = z.cidrv4({ error: "must be an IPv4 CIDR|write it as address/prefix, e.g. 10.244.0.0/16" });

/** True for an IPv4 address or a (wildcard) DNS name: what a certificate SAN or a load balancer address may be. */
export function isAddressOrName(value: string): boolean {
    return isIPv4(value) || SAN_NAME.test(value);
}

/**
 * A login name for SSH: letters, digits, `_`, `.` and `-` (directory-backed accounts such as
 * `john.doe` have dots), starting with a letter or `_` (so ssh never reads it as an option),
 * optionally qualified `@domain` as SSSD writes them.
 */
const LOGIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}(@[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*)?$/;
const LOGIN_ERROR = "must be a login name|use the login user of your hosts: letters, digits, '_', '.' and '-', starting with a letter or '_', optionally @domain, e.g. ubuntu or john.doe";
export const loginName = z.string({ error: LOGIN_ERROR }).regex(LOGIN_NAME, { error: LOGIN_ERROR });

/** Text of one line: no newline or other control character reaches a node file. */
export function oneLine(maxLength: number, fix: string) {
    return z
        .string()
        .min(1, { error: `must not be empty|${fix}` })
        .max(maxLength, { error: `must be at most ${maxLength} characters|${fix}` })
        .refine((v) => !CONTROL.test(v), { error: `must be one line|${fix}` });
}

/** An https URL a node downloads: a host, no spaces, quotes or control characters. */
export function isHttpsUrl(value: string, maxLength = 2048, schemes: readonly ("https" | "http")[] = ["https"]): boolean {
    if (value.length > maxLength || !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[^\s"'`\\<>{}|^\u0000-\u001f\u007f]*)?$/.test(value)) return false;
    try {
        return schemes.includes(new URL(value).protocol.slice(0, -1) as "https" | "http");
    } catch {
        return false;
    }
}
/** An http or https URL: mirrors (plain HTTP is refused off private addresses by validation, config/nodes.ts). */
export const httpUrl = (maxLength: number, error: string) => z.string().refine((v) => isHttpsUrl(v, maxLength, ["https", "http"]), { error });

// ---------------------------------------------------------------------------------------------
// Kubernetes labels (kubelet --node-labels, managed node pools)

/** A label value: empty, or at most 63 of `[A-Za-z0-9._-]` starting and ending alphanumeric. */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** The name part of a qualified name (label keys). */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A label key: `[prefix/]name`, the prefix a DNS subdomain of at most 253 characters. */
export function isLabelKey(key: string): boolean {
    const slash = key.indexOf("/");
    if (slash < 0) return QUALIFIED_NAME.test(key);
    const prefix = key.slice(0, slash);
    return DNS_NAME.test(prefix) && QUALIFIED_NAME.test(key.slice(slash + 1));
}

export const LABEL_KEY_FIX = "write [prefix/]name: an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, e.g. example.com/tier";
export const LABEL_VALUE_FIX = "use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, or an empty value";

/** The kubelet's NodeRestriction admission refuses labels of these namespaces set by the node itself. */
export function isReservedLabel(key: string): boolean {
    return /(^|\.)(kubernetes\.io|k8s\.io)\//.test(key) && !/^(node|kubelet)\.kubernetes\.io\//.test(key);
}

// ---------------------------------------------------------------------------------------------
// Component flags (kube-apiserver extra arguments)

/** A flag name as `--help` lists it, without the dashes kubeadm adds. */
const FLAG_NAME = /^[a-z0-9]([-a-z0-9]{0,98}[a-z0-9])?$/;

/** Why a flag name is not one, as message and fix; undefined when it is. */
export function flagNameProblem(name: string, component: string): { message: string; fix: string } | undefined {
    if (FLAG_NAME.test(name)) return undefined;
    const bare = name.replace(/^-+/, "");
    if (bare !== name && FLAG_NAME.test(bare)) {
        return { message: `flag names are written without the leading "--", which kubeadm adds (got ${JSON.stringify(name)})`, fix: `write ${bare}` };
    }
    return { message: `${JSON.stringify(name)} is not a ${component} flag name`, fix: `write the name as \`${component} --help\` lists it, without "--", e.g. audit-log-maxage` };
}

/** A flag value: one line (possibly empty). */
export const flagValue = z
    .string()
    .refine((v) => !CONTROL.test(v), { error: "must be one line|write the value on one line, without control characters" });

// ---------------------------------------------------------------------------------------------
// Cloud placement

/**
 * Whether `zone` is a zone of `region` as the cloud names them: AWS `<region><letter>`
 * (eu-west-1a), GCP `<region>-<letter>` (europe-west1-b), Azure "1", "2", "3".
 */
export function isZoneOf(platform: "aws" | "gcp" | "azure", region: string, zone: string): boolean {
    switch (platform) {
        case "aws":
            return zone.length === region.length + 1 && zone.startsWith(region) && /^[a-z]$/.test(zone.slice(-1));
        case "gcp":
            return zone.length === region.length + 2 && zone.startsWith(`${region}-`) && /^[a-z]$/.test(zone.slice(-1));
        case "azure":
            return ["1", "2", "3"].includes(zone);
        default: {
            const never: never = platform;
            throw new Error(`unknown platform ${String(never)}`);
        }
    }
}

/** How a platform's zones are written, for messages. */
export function zoneFormat(platform: "aws" | "gcp", region: string): string {
    return platform === "aws" ? `name each zone as the region and one letter, e.g. ${region}a` : `name each zone as the region, '-' and one letter, e.g. ${region}-b`;
}
