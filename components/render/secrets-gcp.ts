/**
 * The `fetchSecrets` step of GCP nodes (pure): the bash that reads a role's root-only files from
 * Secret Manager with the VM's own service account and puts them in place, before any other step
 * of the node script runs. The secret's value is exactly the text of `secretsScript(role, files)`
 * (node.ts), so cloud nodes and SSH nodes install secrets with the same script.
 *
 * Why plain curl (no gcloud): Secret Manager takes an OAuth bearer token, and the metadata server
 * hands the VM's service-account token to any local root process with one GET. Ubuntu's GCE
 * images carry curl and python3 (cloud-init runs on it), so nothing is installed before the
 * secrets are in place; python3 reads the two JSON answers and base64-decodes the payload.
 *
 * Neither the token nor the value reaches a log, a command line or a non-root file: the token
 * stays in a shell variable and goes to curl on stdin (`-H @-`, `printf` is a bash builtin), the
 * value is decoded into a root-only file on tmpfs (`/run`), bash runs that file, and it is removed
 * right after. Reads are retried (bounded): a VM may boot before its IAM binding has propagated.
 *
 * The snippet runs inside a node script (script.ts) and uses its prelude's `retry`.
 */
import { RUN_DIR } from "./paths";
import { shq } from "./script";

export interface GcpSecretFetchInput {
    /** Project id holding the secret, e.g. `acme-prod-1234`. */
    readonly project: string;
    /** Secret Manager secret id (not the full name), e.g. `prod-control-plane`. */
    readonly secretId: string;
    /** Reads before giving up. @default 30 */
    readonly attempts?: number;
    /** Seconds between reads. @default 10 */
    readonly delaySeconds?: number;
    /**
     * Secret Manager API base. Another one serves a Private Service Connect endpoint
     * (`https://secretmanager-<endpoint>.p.googleapis.com/v1`); tests point it at a local server.
     * @default https://secretmanager.googleapis.com/v1
     */
    readonly apiUrl?: string;
    /** Metadata server base. @default http://metadata.google.internal/computeMetadata/v1 */
    readonly metadataUrl?: string;
    /** Root-only tmpfs directory the fetched script lives in while it runs. @default /run/hacluster */
    readonly runDir?: string;
}

const GCP_SECRET_MANAGER_API = "https://secretmanager.googleapis.com/v1";
const GCP_METADATA_URL = "http://metadata.google.internal/computeMetadata/v1";
const GCP_SECRETS_RUN_DIR = RUN_DIR;
/** The first line every `secretsScript` text starts with; anything else is not run. */
const SHEBANG = "#!/usr/bin/env bash";

// Project ids: 6-30 of [a-z0-9-], starting with a letter; legacy domain-scoped ids carry `domain:`.
const PROJECT_RE = /^([a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const SECRET_ID_RE = /^[A-Za-z0-9_-]{1,255}$/;
const URL_RE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~/-]*)?$/;
const DIR_RE = /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/;

/** The Secret Manager URL that returns the latest version of a secret. */
export function secretAccessUrl(project: string, secretId: string, apiUrl = GCP_SECRET_MANAGER_API): string {
    return `${apiUrl.replace(/\/+$/, "")}/projects/${project}/secrets/${secretId}/versions/latest:access`;
}

/** Bash that fetches the role's secrets script from Secret Manager and runs it. */
export function gcpFetchSecrets(input: GcpSecretFetchInput): string {
    const attempts = input.attempts ?? 30;
    const delay = input.delaySeconds ?? 10;
    const apiUrl = input.apiUrl ?? GCP_SECRET_MANAGER_API;
    const metadataUrl = (input.metadataUrl ?? GCP_METADATA_URL).replace(/\/+$/, "");
    const runDir = input.runDir ?? GCP_SECRETS_RUN_DIR;
    if (!PROJECT_RE.test(input.project)) throw new Error(`secrets-gcp: ${JSON.stringify(input.project)} is not a GCP project id`);
    if (!SECRET_ID_RE.test(input.secretId)) throw new Error(`secrets-gcp: ${JSON.stringify(input.secretId)} is not a Secret Manager secret id ([A-Za-z0-9_-], at most 255)`);
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1000) throw new Error(`secrets-gcp: attempts must be 1..1000, got ${attempts}`);
    if (!Number.isInteger(delay) || delay < 1 || delay > 600) throw new Error(`secrets-gcp: delaySeconds must be 1..600, got ${delay}`);
    for (const [what, url] of [["apiUrl", apiUrl], ["metadataUrl", metadataUrl]] as const) {
        if (!URL_RE.test(url)) throw new Error(`secrets-gcp: ${what} must be an http(s) URL without query, got ${JSON.stringify(url)}`);
    }
    if (!DIR_RE.test(runDir) || runDir.split("/").includes("..")) throw new Error(`secrets-gcp: runDir must be an absolute path, got ${JSON.stringify(runDir)}`);
    const name = `projects/${input.project}/secrets/${input.secretId}`;
    const file = `${runDir}/secrets.sh`;
    return `# --- secrets: root-only files from Secret Manager (${name}), read with this VM's service account ---
hacluster_fetch_secrets() {
  local file=${shq(file)} token rc=0
  install -d -m 0700 ${shq(runDir)}
  rm -f "$file"
  # A short-lived OAuth token of the VM's service account; it stays in this shell.
  token=$(curl -fsS --max-time 10 -H 'Metadata-Flavor: Google' ${shq(`${metadataUrl}/instance/service-accounts/default/token`)} |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') || return 1
  [[ -n $token ]] || return 1
  # The value is a script that writes root-only files: decoded into a root-only file, never printed.
  # The token reaches curl on stdin, never on a command line.
  if ! (umask 077; printf 'Authorization: Bearer %s\\n' "$token" |
    curl -fsS --max-time 30 -H @- ${shq(secretAccessUrl(input.project, input.secretId, apiUrl))} |
    python3 -c 'import base64, json, sys; sys.stdout.buffer.write(base64.b64decode(json.load(sys.stdin)["payload"]["data"]))' >"$file"); then
    rm -f "$file"
    return 1
  fi
  if [[ $(head -n 1 "$file") != '${SHEBANG}' ]]; then
    echo "hacluster: secret ${name} does not hold a hacluster secrets script" >&2
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
