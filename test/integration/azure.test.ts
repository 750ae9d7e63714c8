/**
 * The Azure stack's node files against the real tools, and the Key Vault fetch against bash:
 * - every user-data the synth writes (stack `azure`, and with external etcd and a public
 *   endpoint) passes `cloud-init schema`; every node script in them and every script file they
 *   install passes `bash -n` and shellcheck with no findings;
 * - the fetch snippet (render/secrets-azure.ts) inside a full node script, run by bash with a
 *   stand-in `curl` for IMDS and Key Vault: it installs the secrets, hands the token to curl on
 *   stdin only, prints neither token nor value, retries a bounded number of times, and refuses
 *   to run a value that is not a hacluster secrets script.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scriptFromCloudInit } from "../../components/render/cloudinit";
import { secretsScript } from "../../components/render/node";
import { renderScript } from "../../components/render/script";
import { azureFetchSecrets } from "../../components/render/secrets-azure";
import { needTool, synthStack } from "../synth-cli";

const VARIANTS: Record<string, string[]> = {
    azure: [],
    "azure-external": ["cluster.etcd.topology=external", "cluster.cloud.publicEndpoint=true", "cluster.cloud.apiAllowedCidrs.0=203.0.113.0/24"],
};

const need = needTool;

function synth(out: string, sets: readonly string[]): void {
    synthStack("azure", out, sets);
}

function files(dir: string, pred: (name: string) => boolean): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), pred) : pred(e.name) ? [join(dir, e.name)] : []));
}

function shellcheck(file: string): void {
    const n = spawnSync("bash", ["-n", file], { encoding: "utf8" });
    assert.equal(n.status, 0, `bash -n ${file}:\n${n.stderr}`);
    const r = spawnSync("shellcheck", ["--shell=bash", file], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, `shellcheck ${file}:\n${r.stdout}${r.stderr}`);
}

describe("integration: the azure stack's node files and the Key Vault fetch", function () {
    this.timeout(300_000);
    const tmp = mkdtempSync(join(tmpdir(), "hacluster-azure-"));

    before(() => {
        need("shellcheck", "shellcheck");
        need("cloud-init", "cloud-init");
        need("python3", "python3");
        for (const [name, sets] of Object.entries(VARIANTS)) synth(join(tmp, name), sets);
    });
    after(() => rmSync(tmp, { recursive: true, force: true }));

    it("synthesized the machines of both variants", () => {
        assert.deepEqual(readdirSync(join(tmp, "azure", "nodes")).sort(), ["cp-1", "cp-2", "cp-3", "workers"]);
        assert.deepEqual(readdirSync(join(tmp, "azure-external", "nodes")).sort(), ["cp-1", "cp-2", "cp-3", "etcd-1", "etcd-2", "etcd-3", "workers"]);
    });

    it("every user-data passes cloud-init schema", () => {
        const userData = files(tmp, (n) => n === "user-data");
        assert.equal(userData.length, 11);
        for (const f of userData) {
            const r = spawnSync("cloud-init", ["schema", "--config-file", f], { encoding: "utf8", timeout: 60_000 });
            assert.equal(r.status, 0, `${f}:\n${r.stdout}${r.stderr}`);
            assert.match(r.stdout, /Valid cloud-config/);
        }
    });

    it("every node script (with its Key Vault fetch) and every script file it installs passes bash -n and shellcheck", () => {
        const scripts: string[] = [];
        for (const f of files(tmp, (n) => n === "user-data")) {
            const script = scriptFromCloudInit(readFileSync(f, "utf8"));
            assert.ok(script, `${f} carries a node script`);
            assert.ok(script.includes("hacluster_fetch_secrets"), `${f}: the node reads its secrets from Key Vault`);
            const out = `${f}.node-script.sh`;
            writeFileSync(out, script);
            scripts.push(out);
        }
        for (const f of files(tmp, (n) => !n.endsWith(".node-script.sh") && n !== "user-data")) {
            if (readFileSync(f, "utf8").startsWith("#!/usr/bin/env bash") || readFileSync(f, "utf8").startsWith("#!/bin/bash")) scripts.push(f);
        }
        assert.ok(scripts.length >= 14, `only ${scripts.length} scripts`);
        for (const f of scripts) shellcheck(f);
    });

    describe("the fetch, run by bash against a stand-in curl", () => {
        const dir = join(tmp, "fetch");
        const TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOi.STAND-IN-TOKEN-7f3a";
        const JOIN_TOKEN = "abcdef.0123456789abcdef";
        const IDENTITY = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/azure-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/azure-identity-worker";

        /** A curl that answers IMDS with a token and Key Vault with the value file, logging what it was given. */
        const CURL = `#!/usr/bin/env bash
printf '%s\\n' "$*" >>"$STUB_DIR/argv.log"
url="" header_stdin=0
for a in "$@"; do
  case $a in
    http://* | https://*) url=$a ;;
    @-) header_stdin=1 ;;
  esac
done
if [[ $url == http://169.254.169.254/metadata/identity/oauth2/token ]]; then
  printf '{"access_token":"%s","expires_in":"86399","resource":"https://vault.azure.net","token_type":"Bearer"}' "$STUB_TOKEN"
  exit 0
fi
if (( header_stdin )); then cat >>"$STUB_DIR/headers.log"; fi
printf '%s\\n' "$url" >>"$STUB_DIR/urls.log"
n=$(( $(cat "$STUB_DIR/kv-calls" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$STUB_DIR/kv-calls"
if (( n <= \${STUB_FAILS:-0} )); then
  echo "curl: (22) The requested URL returned error: 403" >&2
  exit 22
fi
python3 -c 'import json, os; print(json.dumps({"value": open(os.environ["STUB_VALUE"]).read(), "id": "https://vault/secrets/workers/1"}))'
`;

        function run(opts: { fails?: number; attempts?: number; value?: string }) {
            rmSync(dir, { recursive: true, force: true });
            mkdirSync(join(dir, "bin"), { recursive: true });
            writeFileSync(join(dir, "bin", "curl"), CURL);
            chmodSync(join(dir, "bin", "curl"), 0o755);
            const secretFile = join(dir, "secrets", "bootstrap-token");
            writeFileSync(join(dir, "value"), opts.value ?? secretsScript("workers", [{ path: secretFile, content: JOIN_TOKEN, mode: "0600" }]));
            const script = renderScript({
                node: "workers",
                description: "fetch test",
                files: [],
                steps: `${azureFetchSecrets({ vaultName: "azure-913214e7", secretName: "workers", identity: { resourceId: IDENTITY }, attempts: opts.attempts ?? 3, delaySeconds: 1, runFile: join(dir, "run", "secrets.sh") })}echo "hacluster: fetched"`,
            });
            writeFileSync(join(dir, "node.sh"), script);
            const r = spawnSync("bash", [join(dir, "node.sh")], {
                encoding: "utf8",
                timeout: 60_000,
                env: { PATH: `${join(dir, "bin")}:/usr/bin:/bin`, STUB_DIR: dir, STUB_TOKEN: TOKEN, STUB_VALUE: join(dir, "value"), STUB_FAILS: String(opts.fails ?? 0) },
            });
            const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "");
            return { ...r, secretFile, argv: read("argv.log"), headers: read("headers.log"), urls: read("urls.log") };
        }

        it("passes shellcheck inside a full node script", () => {
            const f = join(tmp, "fetch-only.sh");
            writeFileSync(f, renderScript({ node: "n", description: "d", files: [], steps: azureFetchSecrets({ vaultName: "azure-913214e7", secretName: "workers", identity: { clientId: "0f8fad5b-d9cb-469f-a165-70867728950e" } }) }));
            shellcheck(f);
        });

        it("installs the role's files root-only; the token goes to curl on stdin only; neither token nor value is printed", () => {
            const r = run({});
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /hacluster: 1 secret files in place on workers\nhacluster: fetched\n$/);
            assert.equal(readFileSync(r.secretFile, "utf8"), `${JOIN_TOKEN}\n`);
            assert.equal(statSync(r.secretFile).mode & 0o777, 0o600);
            assert.ok(!existsSync(join(dir, "run", "secrets.sh")), "the fetched script is removed");
            assert.equal(statSync(join(dir, "run")).mode & 0o777, 0o700);
            assert.equal(r.headers, `Authorization: Bearer ${TOKEN}\n`);
            assert.ok(!r.argv.includes(TOKEN), "the token was on a command line");
            assert.match(r.argv, /msi_res_id=\/subscriptions\/.*\/userAssignedIdentities\/azure-identity-worker/);
            assert.equal(r.urls, "https://azure-913214e7.vault.azure.net/secrets/workers?api-version=7.4\n");
            for (const text of [r.stdout, r.stderr]) {
                assert.ok(!text.includes(TOKEN) && !text.includes(JOIN_TOKEN), "token or value printed");
            }
        });

        it("retries while the role assignment propagates (403), then succeeds", () => {
            const r = run({ fails: 2, attempts: 3 });
            assert.equal(r.status, 0, r.stderr);
            assert.equal(readFileSync(join(dir, "kv-calls"), "utf8").trim(), "3");
            assert.equal(readFileSync(r.secretFile, "utf8"), `${JOIN_TOKEN}\n`);
        });

        it("gives up after the bounded attempts, and the node script stops", () => {
            const r = run({ fails: 5, attempts: 2 });
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /hacluster: giving up after 2 attempts: hacluster_fetch_secrets/);
            assert.doesNotMatch(r.stdout, /fetched/);
            assert.ok(!existsSync(r.secretFile));
        });

        it("refuses to run a value that is not a hacluster secrets script", () => {
            const marker = join(dir, "ran");
            const r = run({ value: `touch ${marker}\n`, attempts: 1 });
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /Key Vault secret azure-913214e7\/workers does not hold a hacluster secrets script/);
            assert.ok(!existsSync(marker), "the value was run");
            assert.ok(!existsSync(join(dir, "run", "secrets.sh")));
        });
    });
});
