/**
 * The synth's resource monitor: the SDK's {@link MockMonitor} (which asks the mocks for every
 * resource's state) plus a record of what a real engine would see in each request.
 *
 * `Mocks.newResource` only gets type, name and deserialized inputs. The RegisterResource request
 * carries more, and this monitor keeps it, in arrival order (= registration order):
 * - the parent URN (`req.getParent()`);
 * - the dependency URNs: `req.getDependenciesList()` (explicit `dependsOn` plus every resource
 *   the inputs came from, components expanded to their children, as the SDK computes them)
 *   united with the per-property dependencies;
 * - the raw serialized inputs (`req.getObject()`), which still hold secret markers, unknowns
 *   and resource references — provided the SDK was told the monitor supports secrets, i.e.
 *   after `awaitFeatureSupport()` ran against this monitor, as at the start of a real run.
 *
 * It also does what the engine does and the mock monitor does not: outputs listed in a
 * resource's `additionalSecretOutputs` (e.g. `@pulumi/tls` private keys, `@pulumi/random`
 * passwords) come back marked secret, so the program sees them as secrets just like in a
 * real deployment. Stack outputs are captured from the stack's RegisterResourceOutputs call.
 */
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type * as pulumi from "@pulumi/pulumi";

/** The signature key and values of the SDK's serialization format (`runtime/rpc.js`). */
export const SIG = {
    key: "4dabf18193072939515e22adb298388d",
    secret: "1b47061264138c4ac30d75fd1eb44270",
    resource: "5cf8f73096256a8f31e491e813e4eb8e",
    outputValue: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
    asset: "c44067f5952c0a294b673a41bacd8c17",
    archive: "0def7320c3a5731c473e5ecbe6d01bc7",
    unknown: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
} as const;

/** The root resource type the SDK registers for a stack. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

/** One RegisterResource request as the monitor received it. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** Parent URN, "" when none. */
    readonly parentUrn: string;
    /** Explicit and input dependencies, as URNs, in request order (may repeat). */
    readonly dependencyUrns: readonly string[];
    /** Inputs in the SDK's wire format (secrets/unknowns/resource references still marked). */
    readonly rawInputs: Record<string, unknown>;
    /** Set once the mocks answered. */
    urn?: string;
}

interface StructLike {
    toJavaScript(): Record<string, unknown>;
}
interface StructCtor {
    fromJavaScript(o: Record<string, unknown>): unknown;
}

/** The parts of the SDK's (generated, untyped) RegisterResourceRequest the synth reads. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap?(): { entries(): Iterable<[string, { getUrnsList(): string[] }]> } | undefined;
    getObject(): StructLike | undefined;
    getAdditionalsecretoutputsList?(): string[];
}
/** The parts of a RegisterResourceResponse the synth reads and rewrites. */
interface RegisterResponse {
    getUrn(): string;
    getObject(): (StructLike & { constructor: StructCtor }) | undefined;
    setObject(value: unknown): void;
}
/** RegisterResourceOutputsRequest. */
interface OutputsRequest {
    getUrn(): string;
    getOutputs(): StructLike | undefined;
}
type Callback<T> = (err: unknown, response: T | undefined) => void;

function isSecretMarker(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG.key] === SIG.secret;
}

/** A {@link MockMonitor} that records registrations and stack outputs for the synth. */
export class SynthMonitor extends MockMonitor {
    /** Every registration, in the order the SDK sent them. */
    readonly registrations: Registration[] = [];
    /** Errors the monitor answered with (a failing mock). */
    readonly errors: Error[] = [];
    /**
     * String values of outputs the monitor marked secret (`additionalSecretOutputs`), with where
     * they came from: the synth checks none of them appears in plain text in what it writes.
     */
    readonly secretOutputs: { value: string; where: string }[] = [];
    /** Raw (wire format) outputs of the stack resource, once registered. */
    stackOutputs: Record<string, unknown> | undefined;
    private readonly byUrn = new Map<string, Registration>();

    constructor(mocks: pulumi.runtime.Mocks) {
        super(mocks);
    }

    override async registerResource(req: RegisterRequest, callback: Callback<RegisterResponse>): Promise<void> {
        const deps: string[] = [...req.getDependenciesList()];
        const propDeps = req.getPropertydependenciesMap?.();
        if (propDeps) {
            for (const [, urns] of propDeps.entries()) deps.push(...urns.getUrnsList());
        }
        const object = req.getObject();
        const rec: Registration = {
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parentUrn: req.getParent() ?? "",
            dependencyUrns: deps,
            rawInputs: object ? object.toJavaScript() : {},
        };
        this.registrations.push(rec);
        const secretOutputs = req.getAdditionalsecretoutputsList?.() ?? [];
        return super.registerResource(req, (err: unknown, resp: RegisterResponse | undefined) => {
            if (err) {
                this.errors.push(err instanceof Error ? err : new Error(String(err)));
            } else if (resp) {
                rec.urn = resp.getUrn();
                this.byUrn.set(rec.urn!, rec);
                if (secretOutputs.length > 0) {
                    for (const [k, v] of markSecretOutputs(resp, secretOutputs)) {
                        if (typeof v === "string") this.secretOutputs.push({ value: v, where: `output ${k} of resource ${rec.name} (${rec.type})` });
                    }
                }
            }
            callback(err, resp);
        });
    }

    override registerResourceOutputs(req: OutputsRequest, callback: Callback<unknown>): void {
        const urn = req.getUrn();
        const rec = this.byUrn.get(urn);
        if (rec?.type === STACK_TYPE || (!rec && urn.split("::")[2] === STACK_TYPE)) {
            const outputs = req.getOutputs();
            this.stackOutputs = outputs ? outputs.toJavaScript() : {};
        }
        super.registerResourceOutputs(req, callback);
    }

    /** The registration that produced `urn`, if any. */
    lookup(urn: string): Registration | undefined {
        return this.byUrn.get(urn);
    }
}

/**
 * Wraps the named top-level outputs of a RegisterResource response in secret markers; returns
 * the wrapped values by name.
 */
function markSecretOutputs(resp: RegisterResponse, names: readonly string[]): [string, unknown][] {
    const struct = resp.getObject();
    if (!struct) return [];
    const obj = struct.toJavaScript();
    const marked: [string, unknown][] = [];
    for (const n of names) {
        if (n in obj && !isSecretMarker(obj[n])) {
            marked.push([n, obj[n]]);
            obj[n] = { [SIG.key]: SIG.secret, value: obj[n] };
        }
    }
    if (marked.length > 0) resp.setObject(struct.constructor.fromJavaScript(obj));
    return marked;
}

/** The SDK's internal runtime settings the synth drives (not in its public typings). */
interface InternalSettings {
    setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean, organization?: string): void;
    awaitFeatureSupport(): Promise<void>;
    waitForRPCs(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings: InternalSettings = require("@pulumi/pulumi/runtime/settings");

/** Options of {@link installSynthMonitor}. */
export interface InstallOptions {
    readonly project: string;
    readonly stack: string;
    /** Run as a preview (`pulumi.runtime.isDryRun()`). @default false */
    readonly preview?: boolean;
    readonly organization?: string;
}

/**
 * Installs a fresh {@link SynthMonitor} as the runtime's monitor (resetting the runtime's
 * per-run state) and negotiates features with it the way a real run starts, so secrets,
 * resource references and the rest are serialized as they would be for the engine.
 * Component tests may use it instead of `pulumi.runtime.setMocks` to get engine-like secrets.
 */
export async function installSynthMonitor(mocks: pulumi.runtime.Mocks, opts: InstallOptions): Promise<SynthMonitor> {
    const monitor = new SynthMonitor(mocks);
    settings.setMockOptions(monitor, opts.project, opts.stack, opts.preview ?? false, opts.organization ?? "organization");
    await settings.awaitFeatureSupport();
    return monitor;
}

/** Waits until every RPC the SDK started (registrations, outputs, invokes) has completed. */
export function waitForRegistrations(): Promise<void> {
    return settings.waitForRPCs();
}
