import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../config/errors";
import { loadStackConfig, parseSet, programEntry, setAtPath, splitConfigPath } from "../../synth/config";
import { parseArgs } from "../../synth/cli";

const FIXTURE = path.join(__dirname, "..", "fixtures", "program");

describe("synth config: --set parsing", () => {
    const table: [string, string, (string | number)[], unknown][] = [
        ["cluster.workers.count=1000", "hacluster:cluster", ["workers", "count"], 1000],
        ["hacluster:cluster.x=v", "hacluster:cluster", ["x"], "v"],
        ["profile=dev", "hacluster:profile", [], "dev"],
        ["hacluster:profile=ha", "hacluster:profile", [], "ha"],
        ["aws:region=eu-west-1", "aws:region", [], "eu-west-1"],
        ["cluster.a.b=true", "hacluster:cluster", ["a", "b"], true],
        ["cluster.a.b=false", "hacluster:cluster", ["a", "b"], false],
        ["cluster.workers.hosts.0.name=w1", "hacluster:cluster", ["workers", "hosts", 0, "name"], "w1"],
        ["cluster.workers.hosts[1].zone=rack-b", "hacluster:cluster", ["workers", "hosts", 1, "zone"], "rack-b"],
        ["cluster.endpoint.vip=10.0.0.1", "hacluster:cluster", ["endpoint", "vip"], "10.0.0.1"],
        ["cluster.kubernetes.version=1.34.2", "hacluster:cluster", ["kubernetes", "version"], "1.34.2"],
        ["cluster.ratio=1.5", "hacluster:cluster", ["ratio"], 1.5],
        ["cluster.empty=", "hacluster:cluster", ["empty"], ""],
        ["cluster.kv=a=b", "hacluster:cluster", ["kv"], "a=b"],
        ["cluster.list=[1, 2]", "hacluster:cluster", ["list"], "[1, 2]"],
        ['cluster.quoted="42"', "hacluster:cluster", ["quoted"], "42"],
        ["cluster.nothing=null", "hacluster:cluster", ["nothing"], null],
    ];
    for (const [arg, key, p, value] of table) {
        it(`${arg} → ${key} ${JSON.stringify(p)} = ${JSON.stringify(value)}`, () => {
            assert.deepEqual(parseSet(arg, "hacluster"), { key, path: p, value });
        });
    }
    for (const bad of ["noequals", "=x", "cluster..x=1", "cluster.[=1"]) {
        it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseSet(bad, "hacluster")));
    }
    it("splits bracket and dot paths alike", () => {
        assert.deepEqual(splitConfigPath("a.b[2].c"), ["a", "b", 2, "c"]);
        assert.deepEqual(splitConfigPath("a.b.2.c"), ["a", "b", 2, "c"]);
        assert.deepEqual(splitConfigPath('a["x.y"]'), ["a", "x.y"]);
    });
    it("creates intermediate objects and arrays", () => {
        assert.deepEqual(setAtPath(undefined, ["a", "b", "c"], 1), { a: { b: { c: 1 } } });
        assert.deepEqual(setAtPath({ a: 1 }, ["list", 1, "x"], "y"), { a: 1, list: [null, { x: "y" }] });
        assert.deepEqual(setAtPath({ hosts: [{ n: 1 }, { n: 2 }] }, ["hosts", 1, "n"], 5), { hosts: [{ n: 1 }, { n: 5 }] });
    });
});

describe("synth config: stack files", () => {
    let tmp: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-config-"));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("applies Pulumi.yaml defaults, stack values and --set; secure values become [secret]", () => {
        const cfg = loadStackConfig({ projectDir: FIXTURE, stack: "dev", sets: ["cluster.workers.hosts.0.zone=zone-z", "profile=ha"] });
        assert.equal(cfg.project, "hacluster");
        assert.equal(cfg.main, "index.ts");
        assert.equal(cfg.config["hacluster:sshUser"], "ubuntu"); // default from Pulumi.yaml
        assert.equal(cfg.config["hacluster:profile"], "ha"); // --set over the default
        assert.equal(cfg.config["hacluster:leak"], "false"); // booleans as the CLI passes them
        assert.equal(cfg.config["hacluster:sshPrivateKey"], "[secret]");
        assert.deepEqual(cfg.secretKeys, ["hacluster:sshPrivateKey"]);
        const cluster = JSON.parse(cfg.config["hacluster:cluster"]);
        assert.equal(cluster.workers.hosts[0].zone, "zone-z");
        assert.equal(cluster.workers.hosts[1].zone, "zone-b");
        assert.deepEqual(Object.keys(cfg.config), [...Object.keys(cfg.config)].sort());
    });

    it("applies programmatic overrides with any JSON value", () => {
        const hosts = [{ name: "w", address: "10.20.9.9", zone: "zone-a" }];
        const cfg = loadStackConfig({ projectDir: FIXTURE, stack: "dev", overrides: { "cluster.workers.hosts": hosts } });
        assert.deepEqual(JSON.parse(cfg.config["hacluster:cluster"]).workers.hosts, hosts);
    });

    it("marks a whole object secret when it holds a secure value; namespaced Pulumi.yaml keys work", () => {
        fs.writeFileSync(path.join(tmp, "Pulumi.yaml"), "name: proj\nconfig:\n  proj:count:\n    type: integer\n    default: 2\n");
        fs.writeFileSync(path.join(tmp, "Pulumi.s.yaml"), "config:\n  proj:db:\n    user: app\n    password:\n      secure: v1:abc\n");
        const cfg = loadStackConfig({ projectDir: tmp, stack: "s" });
        assert.deepEqual(JSON.parse(cfg.config["proj:db"]), { user: "app", password: "[secret]" });
        assert.deepEqual(cfg.secretKeys, ["proj:db"]);
        assert.equal(cfg.config["proj:count"], "2");
    });

    it("collects every problem: declared types, missing values, bad --set", () => {
        fs.writeFileSync(
            path.join(tmp, "Pulumi.yaml"),
            "name: proj\nconfig:\n  count:\n    type: integer\n  flag:\n    type: boolean\n    default: false\n  names:\n    type: array\n    items:\n      type: string\n",
        );
        fs.writeFileSync(path.join(tmp, "Pulumi.s.yaml"), "config:\n  proj:flag: maybe\n  proj:names: [a, 1]\n");
        let err: unknown;
        try {
            loadStackConfig({ projectDir: tmp, stack: "s", sets: ["oops"] });
        } catch (e) {
            err = e;
        }
        assert.ok(err instanceof ConfigError);
        const paths = err.problems.map((p) => p.path).sort();
        assert.deepEqual(paths, ["--set", "count", "flag", "names"]);
        assert.match(err.message, /^The stack configuration has 4 problems/);
    });

    it("reports a missing stack file as a config problem", () => {
        assert.throws(() => loadStackConfig({ projectDir: FIXTURE, stack: "nope" }), (e: unknown) => e instanceof ConfigError && /Pulumi\.nope\.yaml/.test(e.message));
    });
});

describe("synth cli: argument parsing", () => {
    it("reads --stack, --out, repeated --set, = forms", () => {
        assert.deepEqual(parseArgs(["--stack", "dev", "--out=o", "--set", "a=1", "--set=b.c=x=y", "-q"]), {
            stack: "dev",
            out: "o",
            sets: ["a=1", "b.c=x=y"],
            quiet: true,
            debug: false,
            help: false,
        });
    });
    it("rejects unknown flags and missing values", () => {
        assert.throws(() => parseArgs(["--stak", "dev"]), /unknown argument/);
        assert.throws(() => parseArgs(["--stack"]), /needs a value/);
    });
});

describe("synth config: the program pulumi runs", () => {
    // Found by the real engine (test/engine): with no `main` in Pulumi.yaml, @pulumi/pulumi's runner
    // took package.json's exports["."] (dist/components/index.js, the library build) and the stack
    // created nothing, while the synth ran index.ts. The synth now finds the entry as the runner does.
    const project = (files: Record<string, string>) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-entry-"));
        for (const [f, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
            fs.writeFileSync(path.join(dir, f), text);
        }
        return dir;
    };

    it("the shipped project runs index.ts (main in Pulumi.yaml), not the library build", () => {
        const root = path.join(__dirname, "..", "..");
        const cfg = loadStackConfig({ projectDir: root, stack: "dev" });
        assert.equal(cfg.main, "index.ts");
        assert.match(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"), /^main: index\.ts$/m);
    });

    it("without main in Pulumi.yaml: package.json exports, then main, then the directory", () => {
        const exportsObj = JSON.stringify({ main: "index.ts", exports: { ".": { types: "./lib.d.ts", default: "./dist/lib.js" } } });
        assert.equal(programEntry(project({ "package.json": exportsObj, "dist/lib.js": "", "index.ts": "" }), undefined), "dist/lib.js");
        assert.equal(programEntry(project({ "package.json": JSON.stringify({ exports: "./x.js" }), "x.js": "" }), undefined), "x.js");
        assert.equal(programEntry(project({ "package.json": JSON.stringify({ exports: "x.js" }), "x.js": "" }), undefined), "x.js");
        assert.equal(programEntry(project({ "package.json": JSON.stringify({ main: "index.ts" }), "index.ts": "" }), undefined), "index.ts");
        // A missing entry falls back to the directory, as the runner does.
        assert.equal(programEntry(project({ "package.json": exportsObj, "index.ts": "" }), undefined), ".");
        assert.equal(programEntry(project({ "package.json": exportsObj }), "prog.ts"), "prog.ts");
        // A project without a package.json of its own gets the nearest one above it (examples/reuse did).
        const outer = project({ "package.json": exportsObj, "dist/lib.js": "", "sub/index.ts": "" });
        assert.equal(programEntry(path.join(outer, "sub"), undefined), "../dist/lib.js");
        assert.equal(programEntry(path.join(outer, "sub"), "index.ts"), "index.ts");
    });
});
