import { strict as assert } from "assert";
import * as fc from "fast-check";
import { parse } from "yaml";
import {
    EC2_USER_DATA,
    bootstrapCommand,
    gzipUserDataBase64,
    renderCloudInit,
    scriptFromCloudInit,
    userDataSize,
} from "../../components/render/cloudinit";
import { BOOTSTRAP_LOG, BOOTSTRAP_SCRIPT } from "../../components/render/paths";
import { renderScript } from "../../components/render/script";
import { golden } from "./golden";


const SCRIPT = renderScript({
    node: "worker-a-1",
    description: "worker, zone a",
    files: [
        { path: "/etc/hacluster/node.env", content: "NODE_NAME=worker-a-1\nZONE=a" },
        { path: "/etc/hacluster/join.yaml", content: "kind: JoinConfiguration\n  indented: ok\n\ttabbed: 1\n", mode: "0600" },
    ],
    steps: 'if hacluster_changed /etc/hacluster/join.yaml; then\n  echo "join config changed"\nfi\nretry 3 1 true',
});

interface CloudConfig {
    hostname?: string;
    write_files: Array<{ path: string; owner: string; permissions: string; content: string }>;
    runcmd: unknown[];
}

describe("render/cloudinit", () => {
    it("golden: worker with hostname", () => {
        // A fixed script, so the golden file tracks this renderer and not script.ts's prelude.
        const script = [
            "#!/usr/bin/env bash",
            "# hacluster node script: worker-a-1 (worker, zone a)",
            "set -euo pipefail",
            "hacluster_write /etc/hacluster/join.yaml 0600 <<'HACLUSTER_EOF'",
            "kind: JoinConfiguration",
            "  indented: ok",
            "\ttabbed: 1",
            "HACLUSTER_EOF",
            'echo "done: $(hostname)"',
            "",
        ].join("\n");
        golden("cloudinit-worker.yaml", renderCloudInit({ hostname: "worker-a-1", script }));
    });

    it("starts with #cloud-config and writes then runs the script once, logging to the bootstrap log", () => {
        const text = renderCloudInit({ hostname: "worker-a-1", script: SCRIPT });
        assert.ok(text.startsWith("#cloud-config\n"));
        const cfg = parse(text) as CloudConfig;
        assert.deepEqual(Object.keys(cfg), ["hostname", "write_files", "runcmd"]);
        assert.equal(cfg.hostname, "worker-a-1");
        assert.deepEqual(cfg.write_files, [
            { path: BOOTSTRAP_SCRIPT, owner: "root:root", permissions: "0700", content: SCRIPT },
        ]);
        assert.deepEqual(cfg.runcmd, [["bash", "-c", bootstrapCommand(BOOTSTRAP_SCRIPT)]]);
        assert.equal(
            bootstrapCommand(BOOTSTRAP_SCRIPT),
            `umask 077; set -o pipefail; bash /var/lib/hacluster/bootstrap.sh 2>&1 | tee -a ${BOOTSTRAP_LOG}`,
        );
        assert.equal(BOOTSTRAP_LOG, "/var/log/hacluster-bootstrap.log");
    });

    it("embeds the script as a readable literal block", () => {
        const text = renderCloudInit({ script: SCRIPT });
        assert.match(text, /^ {4}content: \|\n {6}#!\/usr\/bin\/env bash$/m);
        assert.ok(!/^hostname:/m.test(text), "no hostname key without a hostname");
    });

    it("honours scriptPath", () => {
        const text = renderCloudInit({ script: SCRIPT, scriptPath: "/opt/hc/boot.sh" });
        const cfg = parse(text) as CloudConfig;
        assert.equal(cfg.write_files[0].path, "/opt/hc/boot.sh");
        assert.deepEqual(cfg.runcmd, [["bash", "-c", bootstrapCommand("/opt/hc/boot.sh")]]);
        assert.equal(scriptFromCloudInit(text), SCRIPT);
    });

    describe("round trip", () => {
        it("scriptFromCloudInit(renderCloudInit(x)) === x.script for a node script", () => {
            const x = { hostname: "cp-1.example.internal", script: SCRIPT };
            assert.equal(scriptFromCloudInit(renderCloudInit(x)), x.script);
        });
        it("through gzip+base64 user-data", () => {
            const x = { script: SCRIPT };
            const b64 = gzipUserDataBase64(renderCloudInit(x));
            assert.match(b64, /^H4sI/); // gzip magic, base64
            assert.equal(scriptFromCloudInit(b64), x.script);
        });
        it("for any script text (property)", () => {
            const script = fc
                .string({ unit: "binary", maxLength: 300 })
                .filter((s) => s.trim() !== "");
            fc.assert(
                fc.property(script, fc.boolean(), (s, gz) => {
                    const text = renderCloudInit({ script: s });
                    assert.equal(scriptFromCloudInit(gz ? gzipUserDataBase64(text) : text), s);
                }),
                { numRuns: 300 },
            );
        });
        it("for tricky whitespace: leading blanks, tabs, no or many trailing newlines, CRLF", () => {
            for (const s of ["  indented first\nline", "\tx\n", "a\n\n\n", "no newline", "x\r\ny\r\n", " \n#\n", "---\n...\n"]) {
                assert.equal(scriptFromCloudInit(renderCloudInit({ script: s })), s, JSON.stringify(s));
            }
        });
    });

    describe("scriptFromCloudInit on other user-data", () => {
        it("undefined for a shell script, empty text, or base64 that is not gzip", () => {
            assert.equal(scriptFromCloudInit("#!/bin/bash\necho hi\n"), undefined);
            assert.equal(scriptFromCloudInit(""), undefined);
            assert.equal(scriptFromCloudInit(Buffer.from("#cloud-config\n").toString("base64")), undefined);
        });
        it("undefined for a cloud-config that runs none of its files", () => {
            assert.equal(
                scriptFromCloudInit("#cloud-config\nwrite_files:\n  - path: /a\n    content: x\nruncmd:\n  - [echo, /b]\n"),
                undefined,
            );
            assert.equal(scriptFromCloudInit("#cloud-config\n- a list\n"), undefined);
        });
        it("finds the file a plain-string runcmd runs", () => {
            assert.equal(
                scriptFromCloudInit("#cloud-config\nwrite_files:\n  - path: /a\n    content: x\n  - path: /b.sh\n    content: y\nruncmd:\n  - bash /b.sh\n"),
                "y",
            );
        });
        it("throws on a cloud-config that is not YAML", () => {
            assert.throws(() => scriptFromCloudInit("#cloud-config\nwrite_files: [\n"), /^Error: cloud-init: user-data is not valid YAML: /);
        });
    });

    describe("size", () => {
        it("counts UTF-8 bytes", () => {
            assert.equal(userDataSize("abc"), 3);
            assert.equal(userDataSize("é"), 2);
            assert.equal(userDataSize("€"), 3);
            assert.equal(EC2_USER_DATA.bytes, 16384);
        });
        it("gzip shrinks a node script's user-data", () => {
            const text = renderCloudInit({ script: SCRIPT });
            const gz = Buffer.from(gzipUserDataBase64(text), "base64").length;
            assert.ok(gz < userDataSize(text), `${gz} >= ${userDataSize(text)}`);
        });
    });

    describe("errors", () => {
        it("rejects a bad hostname", () => {
            for (const h of ["-bad", "under_score", "a..b", "x".repeat(64), ""]) {
                assert.throws(() => renderCloudInit({ hostname: h, script: SCRIPT }), {
                    message: `cloud-init: hostname ${JSON.stringify(h)} must be RFC 1123: dot-separated labels of 1-63 letters, digits and "-", not starting or ending with "-"`,
                });
            }
        });
        it("rejects a bad scriptPath", () => {
            for (const p of ["relative.sh", "/with space.sh", "/dir/", "/a/../b.sh", "/x;rm"]) {
                assert.throws(() => renderCloudInit({ script: SCRIPT, scriptPath: p }), {
                    message: `cloud-init: scriptPath must be an absolute file path of [A-Za-z0-9._/+-] without "..", got ${JSON.stringify(p)}`,
                });
            }
        });
        it("rejects an empty script", () => {
            assert.throws(() => renderCloudInit({ script: " \n" }), { message: "cloud-init: script must not be empty" });
        });
    });
});
