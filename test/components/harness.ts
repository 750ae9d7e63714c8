/**
 * Runs component code under `pulumi.runtime.setMocks` and records every resource registered.
 * Uses the synth's mocks, so component tests and the offline synth see the same provider outputs.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec, ManagedClusterSpec, OnPremClusterSpec, SelfManagedCloudSpec } from "../../config/spec";
import { SynthMocks } from "../../synth/mocks";

export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
}

export const FAKE_ADMIN_CONF = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ZmFrZQ==
    server: https://api.dev.internal:6443
  name: dev
users:
- name: kubernetes-admin
  user:
    client-key-data: ZmFrZS1hZG1pbi1rZXk=
`;

class RecordingMocks extends SynthMocks {
    readonly resources: Recorded[] = [];
    constructor(firstPreview = false) {
        super({
            firstPreview,
            outputs: {
                // The kubeconfig step prints admin.conf.
                "command:remote:Command": (args) => (args.name.endsWith("-kubeconfig") ? { stdout: FAKE_ADMIN_CONF } : {}),
            },
        });
    }
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        this.resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        return super.newResource(args);
    }
}

/**
 * Installs fresh mocks (optionally with config) and returns the recorder. `firstPreview`: run as
 * the first `pulumi preview` of a new stack, where no provider output is known yet.
 */
export function mock(config: Record<string, string> = {}, secretKeys: string[] = [], opts: { firstPreview?: boolean } = {}): RecordingMocks {
    const mocks = new RecordingMocks(opts.firstPreview);
    pulumi.runtime.setAllConfig(config, secretKeys);
    pulumi.runtime.setMocks(mocks, "hacluster", "test", opts.firstPreview ?? false);
    return mocks;
}

/** Resolves an output (value and secretness) under mocks. */
export async function resolve<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const value = await new Promise<T>((res) => o.apply((v) => res(v)));
    const secret = await (o as any).isSecret;
    return { value, secret };
}

/** Waits until registrations settle (the mock monitor answers asynchronously). */
export async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** True when a recorded input is a secret (the SDK's wire marker). */
export function isSecret(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270";
}

/** A recorded input with secret markers removed, at any depth. */
export function plain(v: any): any {
    if (isSecret(v)) return plain(v.value);
    if (Array.isArray(v)) return v.map(plain);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
}

/**
 * Like {@link mock}, with a monitor that also records which resources ask for `protect`
 * (the mock API's newResource does not see resource options).
 */
export function mockRecordingProtect(): { mocks: ReturnType<typeof mock>; protectedNames: Set<string> } {
    const mocks = mock();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: new (m: unknown) => any };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { setMockOptions: (m: unknown, project: string, stack: string, preview: boolean) => void };
    const protectedNames = new Set<string>();
    class ProtectMonitor extends MockMonitor {
        registerResource(req: { getProtect(): boolean; getName(): string }, cb: unknown): unknown {
            if (req.getProtect()) protectedNames.add(req.getName());
            return super.registerResource(req, cb);
        }
    }
    settings.setMockOptions(new ProtectMonitor(mocks), "hacluster", "test", false);
    return { mocks, protectedNames };
}

/** Inputs with resource references (as setMocks hands them over) replaced by `ref:<name>`. */
export function norm(v: any): any {
    if (pulumi.Resource.isInstance(v)) return `ref:${(v as any).__name}`;
    if (Array.isArray(v)) return v.map(norm);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
    return v;
}

/** Stack traces are slow under ts-node's source maps and not needed in these tests (the synth does the same). */
export function fastStacks(): void {
    let prepare: typeof Error.prepareStackTrace;
    let limit = 10;
    before(() => {
        [prepare, limit] = [Error.prepareStackTrace, Error.stackTraceLimit];
        (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
        Error.stackTraceLimit = 0;
    });
    after(() => {
        Error.prepareStackTrace = prepare;
        Error.stackTraceLimit = limit;
    });
}

export const ofType = (rs: readonly Recorded[], t: string) => rs.filter((r) => r.type === t);

/** The recorded resource of that name (fails listing the names there are). */
export function one(rs: readonly Recorded[], name: string): Recorded {
    const r = rs.find((x) => x.name === name);
    assert.ok(r, `no resource ${name}: ${rs.map((x) => x.name).join(", ")}`);
    return r!;
}

/** Recorded resources counted by type. */
export function counts(rs: readonly Recorded[]): Record<string, number> {
    const c: Record<string, number> = {};
    for (const r of rs) c[r.type] = (c[r.type] ?? 0) + 1;
    return c;
}

/** The spec of a self-managed cloud stack, as its component takes it (throws on any other). */
export function cloudSpec(spec: ClusterSpec): SelfManagedCloudSpec {
    if (spec.platform === "onprem" || spec.family !== "self-managed") throw new Error(`expected a self-managed cloud spec, got ${spec.family} on ${spec.platform}`);
    return spec;
}

/** The spec of a managed stack (throws on any other). */
export function managedSpec(spec: ClusterSpec): ManagedClusterSpec {
    if (spec.family !== "managed") throw new Error(`expected a managed spec, got ${spec.family} on ${spec.platform}`);
    return spec;
}

/** The spec of an on-prem stack (throws on any other). */
export function onPremSpec(spec: ClusterSpec): OnPremClusterSpec {
    if (spec.platform !== "onprem") throw new Error(`expected an on-prem spec, got ${spec.platform}`);
    return spec;
}
