/**
 * The components as an npm package another repository installs: built to JavaScript and type
 * declarations, resolved through package.json `exports` (runtime) and `types`/`typesVersions`
 * (TypeScript with `"moduleResolution": "node"`, Pulumi's default), compiled against by a consumer
 * project and synthesized. The manifest fields are {@link PACKAGE_FIELDS}; once package.json
 * carries them, this test checks they are the same.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ROOT, synthPlan } from "../policy/plans";

const run = promisify(execFile);
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** What package.json needs (besides a build: `tsc -p tsconfig.build.json` with {@link BUILD_OPTIONS}). */
export const PACKAGE_FIELDS = {
    types: "./dist/components/index.d.ts",
    typesVersions: {
        "*": {
            components: ["./dist/components/index.d.ts"],
            aws: ["./dist/components/aws/index.d.ts"],
            gcp: ["./dist/components/gcp/index.d.ts"],
            azure: ["./dist/components/azure/index.d.ts"],
            eks: ["./dist/components/managed/eks.d.ts"],
            gke: ["./dist/components/managed/gke.d.ts"],
            aks: ["./dist/components/managed/aks.d.ts"],
        },
    },
    exports: {
        ".": { types: "./dist/components/index.d.ts", default: "./dist/components/index.js" },
        "./components": { types: "./dist/components/index.d.ts", default: "./dist/components/index.js" },
        // One subpath per platform, so a consumer loads only its own cloud provider.
        "./aws": { types: "./dist/components/aws/index.d.ts", default: "./dist/components/aws/index.js" },
        "./gcp": { types: "./dist/components/gcp/index.d.ts", default: "./dist/components/gcp/index.js" },
        "./azure": { types: "./dist/components/azure/index.d.ts", default: "./dist/components/azure/index.js" },
        "./eks": { types: "./dist/components/managed/eks.d.ts", default: "./dist/components/managed/eks.js" },
        "./gke": { types: "./dist/components/managed/gke.d.ts", default: "./dist/components/managed/gke.js" },
        "./aks": { types: "./dist/components/managed/aks.d.ts", default: "./dist/components/managed/aks.js" },
        "./package.json": "./package.json",
    },
    files: ["dist/components/", "dist/config/", "docs/reuse.md"],
} as const;

/** `tsconfig.build.json`: extends tsconfig.json; emits the library with declarations to dist/. */
export const BUILD_OPTIONS = {
    extends: "./tsconfig.json",
    compilerOptions: { noEmit: false, declaration: true, sourceMap: true, rootDir: ".", outDir: "dist", types: ["node"] },
    include: ["components/**/*.ts", "config/**/*.ts"],
} as const;

const CONSUMER = {
    "Pulumi.yaml": "name: consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
    "Pulumi.prod.yaml": fs.readFileSync(path.join(ROOT, "examples", "reuse", "Pulumi.staging.yaml"), "utf8").replace(/payments-clusters:/g, "consumer:"),
    "tsconfig.json": JSON.stringify({
        compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, skipLibCheck: true, esModuleInterop: true, types: ["node"] },
        files: ["index.ts"],
    }),
    "index.ts": `import * as pulumi from "@pulumi/pulumi";
import { loadSpec, OnPremCluster } from "hacluster";
import type { ClusterOutputs } from "hacluster/components";

const config = new pulumi.Config();
const { spec } = loadSpec({ profile: "ha", platform: "onprem", cluster: { name: "consumer", ...config.requireObject<object>("cluster") } }, { stack: pulumi.getStack() });
// OnPremCluster takes the on-prem variant of the spec: the consumer narrows it.
if (spec.platform !== "onprem") throw new Error(\`platform \${spec.platform} is not onprem\`);
const cluster: ClusterOutputs = new OnPremCluster(spec.name, { spec });
export const endpoint = cluster.endpoint;
export const kubeconfig = cluster.kubeconfig;
`,
};

describe("the components as a package another repository installs", function () {
    this.timeout(180_000);
    let tmp: string;
    let consumer: string;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-pkg-"));
        consumer = path.join(tmp, "consumer");
        const pkg = path.join(consumer, "node_modules", "hacluster");
        fs.mkdirSync(pkg, { recursive: true });
        // Build as `npm run build` would, into the package's dist/.
        const tsconfig = path.join(tmp, "tsconfig.build.json");
        fs.writeFileSync(
            tsconfig,
            JSON.stringify({
                extends: path.join(ROOT, "tsconfig.json"),
                compilerOptions: {
                    ...BUILD_OPTIONS.compilerOptions,
                    rootDir: ROOT,
                    outDir: path.join(pkg, "dist"),
                    typeRoots: [path.join(ROOT, "node_modules", "@types")],
                },
                include: BUILD_OPTIONS.include.map((p) => path.join(ROOT, p)),
            }),
        );
        await run(process.execPath, [TSC, "-p", tsconfig], { cwd: ROOT }).catch((e) => {
            throw new Error(`build failed: ${e.stdout}`);
        });
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: manifest.name, version: manifest.version, ...PACKAGE_FIELDS }, null, 2));
        // The consumer's other dependencies: this repository's installed ones (one @pulumi/pulumi).
        for (const dep of fs.readdirSync(path.join(ROOT, "node_modules"))) {
            if (dep === "hacluster" || dep.startsWith(".")) continue;
            fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(consumer, "node_modules", dep));
        }
        for (const [name, text] of Object.entries(CONSUMER)) fs.writeFileSync(path.join(consumer, name), text);
    });

    after(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("package.json carries the package fields (once added)", function () {
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        if (manifest.exports === undefined) this.skip();
        for (const [k, v] of Object.entries(PACKAGE_FIELDS)) assert.deepEqual(manifest[k], v, k);
    });

    it("ships JavaScript and declarations for the public API", () => {
        const dist = path.join(consumer, "node_modules", "hacluster", "dist");
        for (const f of ["components/index.js", "components/index.d.ts", "components/onprem/index.d.ts", "config/index.js"]) assert.ok(fs.existsSync(path.join(dist, f)), f);
    });

    it("a consumer compiles against it with moduleResolution node", async () => {
        const r = await run(process.execPath, [TSC, "--noEmit", "-p", path.join(consumer, "tsconfig.json")], { cwd: consumer }).catch((e) => e);
        assert.equal(r.stdout, "", r.stdout);
    });

    it("a consumer's stack synthesizes through the package's exports", async () => {
        const plan = await synthPlan("prod", { project: consumer, out: path.join(tmp, "out") });
        assert.equal(plan.project, "consumer");
        const cluster = plan.resources.find((r) => r.type === "hacluster:onprem:Cluster");
        assert.equal(cluster?.name, "consumer");
        assert.equal(plan.outputs.kubeconfig, "[secret]");
        assert.equal(plan.outputs.endpoint, "https://10.30.0.10:6443");
    });
});
