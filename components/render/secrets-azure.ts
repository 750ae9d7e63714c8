/**
 * The `fetchSecrets` step of Azure nodes (pure): the bash that reads a role's root-only files from
 * Azure Key Vault with the machine's user-assigned managed identity and puts them in place,
 * before any other step of the node script runs. The secret's value is exactly the text of
 * `secretsScript(role, files)` (node.ts), so cloud nodes and SSH nodes install secrets the same way.
 *
 * How: the Instance Metadata Service (IMDS, 169.254.169.254, reachable only from the machine)
 * issues an access token for Key Vault to the identity named in the request; the secret is read
 * with the REST API (`GET https://<vault>.vault.azure.net/secrets/<name>?api-version=7.4`) and its
 * `value` extracted with python3 (in every Ubuntu/Debian cloud image: cloud-init runs on it). No
 * Azure CLI is needed.
 *
 * Neither the token nor the value reaches a log, a command line or a non-root file: the token
 * stays in a shell variable and is handed to curl as a header on stdin (`-H @-`, printf is a
 * bash builtin); the value goes to a root-only file on tmpfs (`/run`), is checked to be a
 * hacluster secrets script, run with bash, and removed. Reads are retried (bounded): a machine may
 * boot before its identity's role assignment has propagated (Azure RBAC takes up to minutes).
 *
 * The snippet runs inside a node script (script.ts) and uses its prelude's `retry`.
 */
import { RUN_DIR } from "./paths";
import { shq } from "./script";

/** Which managed identity asks IMDS for the token (needed when a machine has more than one). */
export type AzureIdentityRef =
    /** The identity's client (application) id, a GUID. */
    | { readonly clientId: string }
    /** The identity's ARM resource id (`/subscriptions/…/userAssignedIdentities/<name>`): IMDS `msi_res_id`. */
    | { readonly resourceId: string };

export interface AzureSecretFetchInput {
    /** Key Vault name (3–24 characters). */
    readonly vaultName: string;
    /** Name of the secret holding the role's `secretsScript` text. */
    readonly secretName: string;
    /** The machine's identity allowed to read that secret. */
    readonly identity: AzureIdentityRef;
    /** Key Vault's DNS suffix (sovereign clouds: `vault.azure.cn`, `vault.usgovcloudapi.net`). @default "vault.azure.net" */
    readonly vaultDnsSuffix?: string;
    /** Reads before giving up. @default 60 (role assignments may take minutes to reach Key Vault) */
    readonly attempts?: number;
    /** Seconds between reads. @default 10 */
    readonly delaySeconds?: number;
    /** Where the fetched script is kept while it runs (its directory is made root-only). @default {@link AZURE_SECRETS_RUN_FILE} */
    readonly runFile?: string;
}

/** Where the fetched script lives while it runs: tmpfs, in a root-only directory. */
export const AZURE_SECRETS_RUN_FILE = `${RUN_DIR}/secrets.sh`;
/** Key Vault REST API version the snippet speaks. */
const KEY_VAULT_API_VERSION = "7.4";
/** IMDS token endpoint and API version. */
export const IMDS_TOKEN_URL = "http://169.254.169.254/metadata/identity/oauth2/token";
const IMDS_API_VERSION = "2018-02-01";
/** The first line every `secretsScript` text starts with; anything else is not run. */
const SHEBANG = "#!/usr/bin/env bash";

/** Key Vault names: 3–24 of letters, digits and single hyphens, starting with a letter, not ending with a hyphen. */
export const VAULT_NAME_RE = /^(?=.{3,24}$)[A-Za-z](?:[A-Za-z0-9]|-(?!-))*[A-Za-z0-9]$/;
/** Key Vault secret names: 1–127 letters, digits and hyphens. */
const SECRET_NAME_RE = /^[0-9A-Za-z-]{1,127}$/;
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A resource id is shell-quoted; it must still be one printable word (what ARM ids are). */
const RESOURCE_ID_RE = /^[A-Za-z0-9/_.()~-]{1,1024}$/;
const DNS_SUFFIX_RE = /^[a-z0-9]+(\.[a-z0-9-]+)+$/;
const RUN_FILE_RE = /^\/[A-Za-z0-9._/-]+\/[A-Za-z0-9._-]+$/;

/** The IMDS query parameter that names the identity (`client_id=` or `msi_res_id=`). */
export function identityParam(identity: AzureIdentityRef): string {
    if ("clientId" in identity) {
        if (!GUID_RE.test(identity.clientId)) throw new Error(`secrets-azure: client id ${JSON.stringify(identity.clientId)} is not a GUID`);
        return `client_id=${identity.clientId}`;
    }
    if (!RESOURCE_ID_RE.test(identity.resourceId)) throw new Error(`secrets-azure: ${JSON.stringify(identity.resourceId)} is not an identity resource id`);
    return `msi_res_id=${identity.resourceId}`;
}

/** Bash that fetches the role's secrets script from Key Vault with the machine's identity and runs it. */
export function azureFetchSecrets(input: AzureSecretFetchInput): string {
    const attempts = input.attempts ?? 60;
    const delay = input.delaySeconds ?? 10;
    const suffix = input.vaultDnsSuffix ?? "vault.azure.net";
    if (!VAULT_NAME_RE.test(input.vaultName)) throw new Error(`secrets-azure: ${JSON.stringify(input.vaultName)} is not a Key Vault name (3-24 letters, digits, single hyphens)`);
    if (!SECRET_NAME_RE.test(input.secretName)) throw new Error(`secrets-azure: ${JSON.stringify(input.secretName)} is not a Key Vault secret name`);
    const runFile = input.runFile ?? AZURE_SECRETS_RUN_FILE;
    if (!RUN_FILE_RE.test(runFile) || runFile.split("/").includes("..")) throw new Error(`secrets-azure: runFile ${JSON.stringify(runFile)} must be an absolute file path`);
    if (!DNS_SUFFIX_RE.test(suffix)) throw new Error(`secrets-azure: ${JSON.stringify(suffix)} is not a DNS suffix`);
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1000) throw new Error(`secrets-azure: attempts must be 1..1000, got ${attempts}`);
    if (!Number.isInteger(delay) || delay < 1 || delay > 600) throw new Error(`secrets-azure: delaySeconds must be 1..600, got ${delay}`);
    const who = identityParam(input.identity);
    const url = `https://${input.vaultName}.${suffix}/secrets/${input.secretName}?api-version=${KEY_VAULT_API_VERSION}`;
    const where = `${input.vaultName}/${input.secretName}`;
    return `# --- secrets: root-only files from Azure Key Vault (${where}), read with this machine's managed identity ---
hacluster_fetch_secrets() {
  local file=${runFile} token rc=0
  install -d -m 0700 "\${file%/*}"
  rm -f "$file"
  # A Key Vault token for this machine's identity from IMDS; it stays in this shell, never on a command line.
  token=$(curl -fsS --noproxy '*' --max-time 10 -H Metadata:true --get \\
      --data-urlencode ${shq(`api-version=${IMDS_API_VERSION}`)} \\
      --data-urlencode ${shq(`resource=https://${suffix}`)} \\
      --data-urlencode ${shq(who)} \\
      ${IMDS_TOKEN_URL} |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') || return 1
  [[ -n $token ]] || return 1
  # The value is a script that writes root-only files: into a root-only file, never printed.
  if ! printf 'Authorization: Bearer %s\\n' "$token" |
    curl -fsS --max-time 20 -H @- ${shq(url)} |
    (umask 077; python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["value"])' >"$file"); then
    rm -f "$file"
    return 1
  fi
  if [[ $(head -n 1 "$file") != '${SHEBANG}' ]]; then
    echo "hacluster: Key Vault secret ${where} does not hold a hacluster secrets script" >&2
    rm -f "$file"
    return 1
  fi
  bash "$file" || rc=$?
  rm -f "$file"
  return "$rc"
}
retry ${attempts} ${delay} hacluster_fetch_secrets
`;
}
