/**
 * The rendered kubelet serving-certificate approver, run by bash with real openssl against CSRs
 * made by openssl the way a kubelet makes them. `kubectl` is a stand-in (no API server can run
 * here) that prints what `kubectl get csr/node -o jsonpath=...` prints for the test's objects and
 * records `kubectl certificate approve`; the decisions are the script's own.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderCsrApproverScript } from "../../components/render/kubelet-serving";

interface Csr {
    name: string;
    signerName: string;
    username: string;
    usages: string[];
    conditions: string[];
    request: string;
}

/** kubectl's output for the approver's two queries; approvals go to approved.log. */
const FAKE_KUBECTL = `#!/usr/bin/env node
const fs = require("fs");
const state = JSON.parse(fs.readFileSync(process.env.FAKE_KUBE_STATE, "utf8"));
const a = process.argv.slice(2);
const jp = (a.find((x) => x.startsWith("jsonpath=")) || "").slice(9);
if (a[0] === "get" && a[1] === "csr") {
  if (!jp.includes("{.spec.request}")) process.exit(3);
  for (const c of state.csrs) {
    process.stdout.write([c.name, c.signerName, c.username, JSON.stringify(c.usages), c.conditions.join(" "), c.request].join("|") + "\\n");
  }
} else if (a[0] === "get" && a[1] === "node") {
  const addrs = state.nodes[a[2]];
  if (!addrs) { process.stderr.write('Error from server (NotFound): nodes "' + a[2] + '" not found\\n'); process.exit(1); }
  for (const x of addrs) process.stdout.write(x + "\\n");
} else if (a[0] === "certificate" && a[1] === "approve") {
  fs.appendFileSync(process.env.FAKE_KUBE_APPROVED, a[2] + "\\n");
} else {
  process.stderr.write("unexpected kubectl " + a.join(" ") + "\\n");
  process.exit(2);
}
`;

describe("integration: kubelet serving-certificate approver (bash + openssl)", function () {
    this.timeout(60_000);
    let dir: string;
    const KEY = () => path.join(dir, "key.pem");

    before(() => {
        for (const tool of ["openssl", "shellcheck", "bash"]) {
            assert.equal(spawnSync("sh", ["-c", `command -v ${tool}`]).status, 0, `${tool} is required (Debian package ${tool})`);
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-csr-"));
        fs.mkdirSync(path.join(dir, "bin"));
        fs.writeFileSync(path.join(dir, "bin", "kubectl"), FAKE_KUBECTL, { mode: 0o755 });
        const k = spawnSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", KEY()], { encoding: "utf8" });
        assert.equal(k.status, 0, k.stderr);
    });
    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** A CSR as the kubelet makes it (O=system:nodes, CN=system:node:<name>), base64 of the PEM. */
    function csr(subject: string, sans: string): string {
        const args = ["req", "-new", "-key", KEY(), "-subj", subject];
        if (sans) args.push("-addext", `subjectAltName=${sans}`);
        const r = spawnSync("openssl", args, { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return Buffer.from(r.stdout).toString("base64");
    }
    const nodeCsr = (node: string, sans: string) => csr(`/O=system:nodes/CN=system:node:${node}`, sans);
    const SERVING = ["digital signature", "server auth"];

    function run(csrs: Csr[], nodes: Record<string, string[]>, nodeCidrs = ["10.0.0.0/16"]): { approved: string[]; out: string; status: number | null } {
        const state = path.join(dir, "state.json");
        const approvedLog = path.join(dir, "approved.log");
        fs.writeFileSync(state, JSON.stringify({ csrs, nodes }));
        fs.writeFileSync(approvedLog, "");
        const r = spawnSync("bash", ["-s"], {
            input: renderCsrApproverScript({ nodeCidrs }),
            encoding: "utf8",
            timeout: 30_000,
            env: { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, FAKE_KUBE_STATE: state, FAKE_KUBE_APPROVED: approvedLog, KUBECONFIG: "/nonexistent" },
        });
        return { approved: fs.readFileSync(approvedLog, "utf8").split("\n").filter(Boolean), out: `${r.stdout}${r.stderr}`, status: r.status };
    }

    const pending = (name: string, username: string, request: string, usages = SERVING): Csr => ({
        name, signerName: "kubernetes.io/kubelet-serving", username, usages, conditions: [], request,
    });
    const NODES = { "cp-1": ["10.0.1.10", "cp-1"], "w-1": ["10.0.2.20", "w-1"], liar: ["10.0.2.30", "8.8.8.8", "liar"] };

    it("passes shellcheck", () => {
        const r = spawnSync("shellcheck", ["--shell=bash", "-"], { input: renderCsrApproverScript({ nodeCidrs: ["10.0.0.0/16"] }), encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout);
    });

    it("approves a node's own serving CSR for its own name and addresses", () => {
        const r = run([pending("csr-good", "system:node:cp-1", nodeCsr("cp-1", "DNS:cp-1,IP:10.0.1.10"), ["digital signature", "key encipherment", "server auth"])], NODES);
        assert.equal(r.status, 0, r.out);
        assert.deepEqual(r.approved, ["csr-good"], r.out);
        assert.match(r.out, /approved 1, left pending 0/);
    });

    const refusals: [string, () => Csr, RegExp][] = [
        ["another node's name", () => pending("csr-x", "system:node:w-1", nodeCsr("w-1", "DNS:cp-1,IP:10.0.2.20")), /DNS name cp-1 is not an address of node w-1/],
        ["another node's address", () => pending("csr-x", "system:node:w-1", nodeCsr("w-1", "DNS:w-1,IP:10.0.1.10")), /address 10\.0\.1\.10 is not an address of node w-1/],
        ["an address the node claims outside the node networks", () => pending("csr-x", "system:node:liar", nodeCsr("liar", "DNS:liar,IP:8.8.8.8")), /8\.8\.8\.8 is outside the node networks 10\.0\.0\.0\/16/],
        ["a request by a user, not a node", () => pending("csr-x", "alice", nodeCsr("cp-1", "DNS:cp-1")), /requested by alice, not by a node/],
        ["a subject naming another node", () => pending("csr-x", "system:node:w-1", nodeCsr("cp-1", "DNS:w-1")), /is not CN=system:node:w-1,O=system:nodes/],
        ["a subject without O=system:nodes", () => pending("csr-x", "system:node:w-1", csr("/CN=system:node:w-1", "DNS:w-1")), /is not CN=system:node:w-1,O=system:nodes/],
        ["client auth usage", () => pending("csr-x", "system:node:w-1", nodeCsr("w-1", "DNS:w-1"), ["digital signature", "server auth", "client auth"]), /usage client auth is not for serving/],
        ["no server auth usage", () => pending("csr-x", "system:node:w-1", nodeCsr("w-1", "DNS:w-1"), ["digital signature"]), /lack server auth/],
        ["an email SAN", () => pending("csr-x", "system:node:w-1", nodeCsr("w-1", "DNS:w-1,email:a@b.c")), /SAN email:a@b\.c is neither/],
        ["no SANs at all", () => pending("csr-x", "system:node:w-1", nodeCsr("w-1", "")), /no subject alternative names/],
        ["a node that is not registered", () => pending("csr-x", "system:node:ghost", nodeCsr("ghost", "IP:10.0.3.3")), /10\.0\.3\.3 is not an address of node ghost/],
        [
            "a broken self-signature",
            () => {
                const pem = Buffer.from(nodeCsr("w-1", "DNS:w-1"), "base64").toString();
                const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
                const der = Buffer.from(b64, "base64");
                der[der.length - 3] ^= 0x01; // a bit inside the signature
                const bad = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE REQUEST-----\n`;
                return pending("csr-x", "system:node:w-1", Buffer.from(bad).toString("base64"));
            },
            /signature does not verify/,
        ],
    ];
    for (const [what, make, why] of refusals) {
        it(`leaves pending: ${what}`, () => {
            const r = run([make()], NODES);
            assert.equal(r.status, 0, r.out);
            assert.deepEqual(r.approved, [], r.out);
            assert.match(r.out, why);
            assert.match(r.out, /approved 0, left pending 1/);
        });
    }

    it("ignores CSRs already decided and other signers; approves the good one among them", () => {
        const good = pending("csr-good", "system:node:w-1", nodeCsr("w-1", "DNS:w-1,IP:10.0.2.20"));
        const r = run(
            [
                { ...pending("csr-done", "system:node:w-1", nodeCsr("w-1", "DNS:w-1")), conditions: ["Approved"] },
                { ...pending("csr-denied", "system:node:w-1", nodeCsr("w-1", "DNS:w-1")), conditions: ["Denied"] },
                { ...pending("csr-client", "system:node:w-1", nodeCsr("w-1", "")), signerName: "kubernetes.io/kube-apiserver-client-kubelet" },
                pending("csr-evil", "system:node:w-1", nodeCsr("w-1", "DNS:cp-1")),
                good,
            ],
            NODES,
        );
        assert.equal(r.status, 0, r.out);
        assert.deepEqual(r.approved, ["csr-good"], r.out);
        assert.match(r.out, /approved 1, left pending 1/);
    });

    it("without node networks, any address the node reports is accepted", () => {
        const r = run([pending("csr-l", "system:node:liar", nodeCsr("liar", "IP:8.8.8.8"))], NODES, []);
        assert.deepEqual(r.approved, ["csr-l"], r.out);
    });

    it("refuses a malformed node network at render time", () => {
        assert.throws(() => renderCsrApproverScript({ nodeCidrs: ["10.0.0.0/33"] }), /is not an IPv4 CIDR/);
        assert.throws(() => renderCsrApproverScript({ nodeCidrs: ["10.0.0.0/16; rm -rf /"] }), /is not an IPv4 CIDR/);
    });
});
