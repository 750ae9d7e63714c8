import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { discoveryHash } from "../../components/pki/hash";

describe("pki: discovery hash", () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(join(tmpdir(), "hacluster-pki-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const algo of [["rsa", ["-newkey", "rsa:2048"]], ["ecdsa", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]]] as const) {
        it(`equals openssl's hash of the CA public key (${algo[0]})`, () => {
            const key = join(dir, `${algo[0]}.key`);
            const crt = join(dir, `${algo[0]}.crt`);
            execFileSync("openssl", ["req", "-x509", ...algo[1], "-nodes", "-keyout", key, "-out", crt, "-subj", "/CN=kubernetes", "-days", "1"], { stdio: "pipe" });
            // The exact pipeline from the kubeadm docs.
            const expected = execFileSync("sh", ["-c", `openssl x509 -pubkey -noout -in ${crt} | openssl pkey -pubin -outform der | sha256sum`]).toString().split(" ")[0];
            const pem = readFileSync(crt, "utf8");
            assert.equal(discoveryHash(pem), `sha256:${expected}`);
            // The CA key's public half gives the same hash (what the stack uses before the cert exists).
            const pub = execFileSync("openssl", ["pkey", "-in", key, "-pubout"]).toString();
            assert.equal(discoveryHash(pub), `sha256:${expected}`);
        });
    }
});
