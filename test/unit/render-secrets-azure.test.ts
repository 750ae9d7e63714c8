/**
 * The Azure secrets fetch (pure renderer): golden text, the fragments that make it safe (token
 * via stdin, value into a root-only file, bounded retries), and its input checks with exact
 * messages. Its behaviour under bash and shellcheck's verdict are in test/integration/azure.test.ts.
 */
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { AZURE_SECRETS_RUN_FILE, azureFetchSecrets, VAULT_NAME_RE, type AzureSecretFetchInput } from "../../components/render/secrets-azure";
import { golden } from "./golden";

const ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/prod-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/prod-identity-control-plane";
const INPUT: AzureSecretFetchInput = { vaultName: "prod-1a2b3c4d", secretName: "control-plane", identity: { resourceId: ID } };

describe("render/secrets-azure", () => {
    it("golden: control planes reading with their identity's resource id", () => {
        golden("azure-fetch-secrets.sh", azureFetchSecrets(INPUT));
    });

    it("asks IMDS for a Key Vault token for the named identity, then reads the secret with REST API 7.4", () => {
        const s = azureFetchSecrets(INPUT);
        assert.match(s, /-H Metadata:true --get/);
        assert.ok(s.includes("http://169.254.169.254/metadata/identity/oauth2/token"));
        assert.ok(s.includes("--data-urlencode 'resource=https://vault.azure.net'"));
        assert.ok(s.includes(`--data-urlencode 'msi_res_id=${ID}'`));
        assert.ok(s.includes("'https://prod-1a2b3c4d.vault.azure.net/secrets/control-plane?api-version=7.4'"));
        assert.match(s, /--noproxy '\*'/, "IMDS must never go through a proxy");
        const byClient = azureFetchSecrets({ ...INPUT, identity: { clientId: "0f8fad5b-d9cb-469f-a165-70867728950e" } });
        assert.ok(byClient.includes("--data-urlencode 'client_id=0f8fad5b-d9cb-469f-a165-70867728950e'"));
        assert.ok(!byClient.includes("msi_res_id"));
    });

    it("keeps the token off command lines and the value out of output: header on stdin, value into a root-only file", () => {
        const s = azureFetchSecrets(INPUT);
        assert.match(s, /printf 'Authorization: Bearer %s\\n' "\$token" \|\n\s+curl -fsS --max-time 20 -H @- /);
        assert.doesNotMatch(s, /-H "Authorization/, "the token must not be an argument");
        assert.doesNotMatch(s, /echo[^\n]*\$token/);
        assert.doesNotMatch(s, /set -x/);
        assert.match(s, /\(umask 077; python3 -c '[^']*\["value"\][^']*' >"\$file"\)/);
        assert.ok(s.includes(`local file=${AZURE_SECRETS_RUN_FILE} token rc=0`));
        assert.match(s, /install -d -m 0700 "\$\{file%\/\*\}"/);
        // Only a hacluster secrets script is run, and it is removed whatever happens.
        assert.ok(s.includes(`if [[ $(head -n 1 "$file") != '#!/usr/bin/env bash' ]]; then`));
        assert.match(s, /bash "\$file" \|\| rc=\$\?\n {2}rm -f "\$file"\n {2}return "\$rc"/);
    });

    it("retries a bounded number of times (role assignments propagate slowly)", () => {
        assert.match(azureFetchSecrets(INPUT), /\nretry 60 10 hacluster_fetch_secrets\n$/);
        assert.match(azureFetchSecrets({ ...INPUT, attempts: 3, delaySeconds: 1 }), /\nretry 3 1 hacluster_fetch_secrets\n$/);
    });

    it("sovereign clouds: the DNS suffix is also the token's resource", () => {
        const s = azureFetchSecrets({ ...INPUT, vaultDnsSuffix: "vault.azure.cn" });
        assert.ok(s.includes("'resource=https://vault.azure.cn'"));
        assert.ok(s.includes("https://prod-1a2b3c4d.vault.azure.cn/secrets/"));
    });

    it("refuses inputs that would not work or not quote safely, with exact messages", () => {
        const cases: [Partial<AzureSecretFetchInput>, string][] = [
            [{ vaultName: "kv" }, 'secrets-azure: "kv" is not a Key Vault name (3-24 letters, digits, single hyphens)'],
            [{ vaultName: "a-very-long-vault-name-12345" }, 'secrets-azure: "a-very-long-vault-name-12345" is not a Key Vault name (3-24 letters, digits, single hyphens)'],
            [{ vaultName: "1vault" }, 'secrets-azure: "1vault" is not a Key Vault name (3-24 letters, digits, single hyphens)'],
            [{ vaultName: "my--vault" }, 'secrets-azure: "my--vault" is not a Key Vault name (3-24 letters, digits, single hyphens)'],
            [{ secretName: "control_plane" }, 'secrets-azure: "control_plane" is not a Key Vault secret name'],
            [{ identity: { clientId: "not-a-guid" } }, 'secrets-azure: client id "not-a-guid" is not a GUID'],
            [{ identity: { resourceId: "/subscriptions/x/'; rm -rf /" } }, `secrets-azure: "/subscriptions/x/'; rm -rf /" is not an identity resource id`],
            [{ vaultDnsSuffix: "https://vault" }, 'secrets-azure: "https://vault" is not a DNS suffix'],
            [{ attempts: 0 }, "secrets-azure: attempts must be 1..1000, got 0"],
            [{ delaySeconds: 1.5 }, "secrets-azure: delaySeconds must be 1..600, got 1.5"],
            [{ runFile: "relative/secrets.sh" }, 'secrets-azure: runFile "relative/secrets.sh" must be an absolute file path'],
        ];
        for (const [patch, message] of cases) assert.throws(() => azureFetchSecrets({ ...INPUT, ...patch }), { message }, JSON.stringify(patch));
    });

    it("property: every name Key Vault accepts renders, and appears quoted in the URL", () => {
        const vault = fc.stringMatching(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/).filter((v) => VAULT_NAME_RE.test(v));
        const secret = fc.stringMatching(/^[0-9A-Za-z-]{1,40}$/);
        fc.assert(
            fc.property(vault, secret, (vaultName, secretName) => {
                const s = azureFetchSecrets({ ...INPUT, vaultName, secretName });
                return s.includes(`'https://${vaultName}.vault.azure.net/secrets/${secretName}?api-version=7.4'`);
            }),
            { numRuns: 200 },
        );
    });
});
