/**
 * What a policy sees of a resource, as the Pulumi engine hands it over (checked against
 * @pulumi/policy 1.21 and the engine's analyzer plugin):
 *
 * - `validateResource` gets the resource's *inputs* with secrets already unwrapped: a secret and a
 *   plain value look the same there. Only `remediateResource` (run when a policy's level is
 *   `remediate`, before any validation of the same resource) sees secrets, as `Secret` objects.
 * - During `pulumi preview` values that depend on resources not yet created are unknown: reading
 *   one through `args.props` throws, and the engine turns that into an advisory "can't run during
 *   preview" instead of a pass. Rules read `args.props` plainly and let that happen; deep scans read
 *   the raw object ({@link rawProps}) and skip unknowns.
 * - Stack validation gets each resource's *outputs* (a component's registered outputs, not its
 *   inputs), so the cluster facts are checked per resource, not per stack.
 */
import { Secret } from "@pulumi/policy";

/** The engine's wire sentinels for unknown values (sdk/go/common/resource/plugin/rpc.go). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export function isUnknown(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

/** A secret as `remediateResource` sees it (the policy SDK's `Secret`). */
export function isSecret(v: unknown): v is Secret {
    return v instanceof Secret || (typeof v === "object" && v !== null && v.constructor?.name === "Secret" && "value" in v);
}

/** The plain object behind the policy SDK's property proxies (unknowns and secrets left as they are). */
export function rawProps(props: unknown): unknown {
    let v = props;
    // Both proxies answer these two string keys; a plain object does not.
    while (typeof v === "object" && v !== null && (v as Record<string, unknown>)["__isSpecialProxy"] === true) {
        v = (v as Record<string, unknown>)["__getSpecialProxyTarget"];
    }
    return v;
}

/**
 * `<package>:<module>:<Type>` with an azure-native API version dropped from the module
 * (`azure-native:network/v20240301:SecurityRule` → `azure-native:network:SecurityRule`), so a rule
 * applies whichever API version a component pins.
 */
export function resourceType(type: string): string {
    const [pkg, mod, name] = type.split(":");
    if (name === undefined || pkg !== "azure-native") return type;
    return `${pkg}:${mod.replace(/\/v\d[\w-]*$/, "")}:${name}`;
}

/** `hacluster:<module>:Cluster`: every platform's cluster component. */
export function isClusterComponent(type: string): boolean {
    return /^hacluster:[A-Za-z0-9_-]+:Cluster$/.test(type);
}

export function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A list input as an array (absent → empty). */
export function list<T>(v: readonly T[] | undefined | null): readonly T[] {
    return Array.isArray(v) ? v : [];
}
