/**
 * The `fetchSecrets` step of AWS nodes (pure): the bash that reads a role's root-only files from
 * AWS Secrets Manager with the instance's own IAM role and puts them in place, before any other
 * step of the node script runs. The secret's value is exactly the text of `secretsScript(role,
 * files)` (node.ts), so cloud nodes and SSH nodes install secrets with the same script.
 *
 * Why the AWS CLI: Secrets Manager needs SigV4-signed requests with the instance role's
 * short-lived credentials (IMDSv2). The CLI does the signing, the IMDSv2 token dance and its own
 * throttling retries, and is maintained by AWS; hand-rolled signing in bash would be ours to get
 * right. It is used when present (custom AMIs), else installed: `snap install aws-cli --classic`
 * on Ubuntu (Canonical's AMIs ship snapd; the `awscli` deb left Ubuntu in 24.04), else
 * `apt-get install awscli` (Debian).
 *
 * The value never reaches a log, a command line or a non-root file: the CLI writes it to a file in
 * a root-only directory on tmpfs (`/run`), bash runs that file, and it is removed right after.
 * Reads are retried (bounded): an instance may boot before its role's policy has propagated.
 *
 * The snippet runs inside a node script (script.ts) and uses its prelude's `retry`.
 */
import { RUN_DIR } from "./paths";
import { shq } from "./script";

export interface AwsSecretFetchInput {
    /** Secrets Manager secret name (or ARN) holding the role's `secretsScript` text. */
    readonly secretId: string;
    /** Region of the secret, e.g. `eu-west-1`. */
    readonly region: string;
    /** Reads before giving up. @default 30 */
    readonly attempts?: number;
    /** Seconds between reads. @default 10 */
    readonly delaySeconds?: number;
    /** Root-only directory on tmpfs where the fetched script lives while it runs. @default "/run/hacluster" */
    readonly runDir?: string;
}

/** Where the fetched script lives while it runs: tmpfs, in a root-only directory (also the kubeadm config's). */
export const AWS_SECRETS_RUN_DIR = RUN_DIR;
/** The first line every `secretsScript` text starts with; anything else is not run. */
const SHEBANG = "#!/usr/bin/env bash";

const SECRET_ID_RE = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const DIR_RE = /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/;

/** Bash that installs the AWS CLI when missing, then fetches and runs the role's secrets script. */
export function awsFetchSecrets(input: AwsSecretFetchInput): string {
    const attempts = input.attempts ?? 30;
    const delay = input.delaySeconds ?? 10;
    if (!SECRET_ID_RE.test(input.secretId)) throw new Error(`secrets-aws: ${JSON.stringify(input.secretId)} is not a Secrets Manager secret name or ARN`);
    if (!REGION_RE.test(input.region)) throw new Error(`secrets-aws: ${JSON.stringify(input.region)} is not an AWS region`);
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1000) throw new Error(`secrets-aws: attempts must be 1..1000, got ${attempts}`);
    if (!Number.isInteger(delay) || delay < 1 || delay > 600) throw new Error(`secrets-aws: delaySeconds must be 1..600, got ${delay}`);
    const dir = input.runDir ?? AWS_SECRETS_RUN_DIR;
    if (!DIR_RE.test(dir) || dir.split("/").includes("..")) throw new Error(`secrets-aws: runDir must be an absolute directory path, got ${JSON.stringify(dir)}`);
    const id = shq(input.secretId);
    return `# --- secrets: root-only files from AWS Secrets Manager (${input.secretId}), read with this instance's role ---
hacluster_aws_cli() {
  if command -v aws >/dev/null; then return 0; fi
  if [[ -x /snap/bin/aws ]]; then return 0; fi
  if command -v snap >/dev/null; then
    # First boot: snapd installs nothing before its seed is loaded.
    snap wait system seed.loaded && snap install aws-cli --classic
  else
    apt-get update -q && apt-get install -y -q awscli
  fi
}
hacluster_aws() {
  local bin
  bin=$(command -v aws || echo /snap/bin/aws)
  AWS_PAGER="" "$bin" "$@"
}
hacluster_fetch_secrets() {
  local file=${dir}/secrets.sh rc=0
  install -d -m 0700 ${dir}
  rm -f "$file"
  # The value is a script that writes root-only files: into a root-only file, never printed.
  if ! (umask 077; hacluster_aws secretsmanager get-secret-value --region ${input.region} --secret-id ${id} --query SecretString --output text >"$file"); then
    rm -f "$file"
    return 1
  fi
  if [[ $(head -n 1 "$file") != '${SHEBANG}' ]]; then
    echo "hacluster: secret ${input.secretId} does not hold a hacluster secrets script" >&2
    rm -f "$file"
    return 1
  fi
  bash "$file" || rc=$?
  rm -f "$file"
  return "$rc"
}
retry 5 15 hacluster_aws_cli
retry ${attempts} ${delay} hacluster_fetch_secrets
`;
}
