/**
 * Off-cluster copies of etcd snapshots on clouds (pure): the bash, run by the snapshot script as
 * its copy step with the snapshot's path as `$1`, that uploads the file to the object store the
 * stack creates, with the machine's own identity (no keys on the node):
 *
 * - AWS: `aws s3 cp` (the CLI the node installed to read Secrets Manager; it signs with the
 *   instance role). Encryption, versioning and expiry are the bucket's.
 * - GCP: the JSON API's media upload with the VM service account's token from the metadata server.
 * - Azure: Put Blob with a token for `https://storage.azure.com/` from IMDS for the VM's identity.
 *
 * Tokens reach curl on stdin (`-H @-`), never on a command line; files are streamed (`-T`), not
 * read into memory. Objects are named `<prefix>/<snapshot file name>`, prefix = the member's name,
 * so members never overwrite each other. Stores keep objects for the configured retention.
 */
import { shq } from "./script";
import { IMDS_TOKEN_URL, identityParam, type AzureIdentityRef } from "./secrets-azure";

export type BackupStore =
    | { readonly kind: "s3"; readonly bucket: string; readonly region: string; readonly prefix: string }
    | {
          readonly kind: "gcs";
          readonly bucket: string;
          readonly prefix: string;
          /** Tests: a local server. @default https://storage.googleapis.com */
          readonly apiUrl?: string;
          /** Tests: a local server. @default http://metadata.google.internal/computeMetadata/v1 */
          readonly metadataUrl?: string;
      }
    | {
          readonly kind: "azureBlob";
          readonly account: string;
          readonly container: string;
          readonly prefix: string;
          readonly identity: AzureIdentityRef;
          /** Tests: a local server. @default https://<account>.blob.core.windows.net */
          readonly blobUrl?: string;
          /** Tests: a local server. @default IMDS */
          readonly tokenUrl?: string;
      };

const S3_BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GCS_BUCKET_RE = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const AZ_ACCOUNT_RE = /^[a-z0-9]{3,24}$/;
const AZ_CONTAINER_RE = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const PREFIX_RE = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
const URL_RE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~/-]*)?$/;

/** A store without the per-member details: what {@link backupStoreUrl} names. */
export type BackupStoreRef =
    | { readonly kind: "s3"; readonly bucket: string }
    | { readonly kind: "gcs"; readonly bucket: string }
    | { readonly kind: "azureBlob"; readonly account: string; readonly container: string };

/** An Azure storage account's blob endpoint (the public cloud's). */
function azureBlobEndpoint(account: string): string {
    return `https://${account}.blob.core.windows.net`;
}

/**
 * Where a store keeps the snapshots, as operators' tools name it (the stacks' `etcdBackupStore`
 * output): `s3://<bucket>`, `gs://<bucket>`, `https://<account>.blob.core.windows.net/<container>`.
 */
export function backupStoreUrl(ref: BackupStoreRef): string {
    switch (ref.kind) {
        case "s3":
            return `s3://${ref.bucket}`;
        case "gcs":
            return `gs://${ref.bucket}`;
        case "azureBlob":
            return `${azureBlobEndpoint(ref.account)}/${ref.container}`;
    }
}

/** Azure Storage REST version that accepts single Put Blob uploads up to 5000 MiB. */
const AZURE_STORAGE_API_VERSION = "2021-08-06";

function check(ok: boolean, what: string): void {
    if (!ok) throw new Error(`backup store: ${what}`);
}

/** The copy step's bash (uses `$1`, the snapshot path). Throws on a malformed name. */
export function renderBackupUpload(store: BackupStore): string {
    check(PREFIX_RE.test(store.prefix), `prefix ${JSON.stringify(store.prefix)} must be a lower-case DNS label`);
    switch (store.kind) {
        case "s3": {
            check(S3_BUCKET_RE.test(store.bucket), `${JSON.stringify(store.bucket)} is not an S3 bucket name`);
            check(REGION_RE.test(store.region), `${JSON.stringify(store.region)} is not an AWS region`);
            const to = `${backupStoreUrl(store)}/${store.prefix}/`;
            return `# Upload to ${to} with the instance role (bucket encryption, versioning and expiry apply).
aws_bin=$(command -v aws || echo /snap/bin/aws)
AWS_PAGER="" "$aws_bin" s3 cp --only-show-errors --no-progress --region ${store.region} "$1" ${shq(to)}"$(basename "$1")"`;
        }
        case "gcs": {
            check(GCS_BUCKET_RE.test(store.bucket) && !store.bucket.includes(".."), `${JSON.stringify(store.bucket)} is not a GCS bucket name`);
            const api = (store.apiUrl ?? "https://storage.googleapis.com").replace(/\/+$/, "");
            const md = (store.metadataUrl ?? "http://metadata.google.internal/computeMetadata/v1").replace(/\/+$/, "");
            check(URL_RE.test(api) && URL_RE.test(md), "apiUrl and metadataUrl must be http(s) URLs without query");
            return `# Upload to ${backupStoreUrl(store)}/${store.prefix}/ with the VM's service account (token on stdin, never argv).
token=$(curl -fsS --max-time 10 -H 'Metadata-Flavor: Google' ${shq(`${md}/instance/service-accounts/default/token`)} |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
[[ -n $token ]]
printf 'Authorization: Bearer %s\\n' "$token" |
  curl -fsS --max-time 1800 -H @- -H 'Content-Type: application/octet-stream' -X POST -T "$1" \\
    ${shq(`${api}/upload/storage/v1/b/${store.bucket}/o?uploadType=media&name=${store.prefix}%2F`)}"$(basename "$1")" >/dev/null`;
        }
        case "azureBlob": {
            check(AZ_ACCOUNT_RE.test(store.account), `${JSON.stringify(store.account)} is not a storage account name (3-24 lower-case letters and digits)`);
            check(AZ_CONTAINER_RE.test(store.container), `${JSON.stringify(store.container)} is not a blob container name`);
            const blob = (store.blobUrl ?? azureBlobEndpoint(store.account)).replace(/\/+$/, "");
            const tokenUrl = store.tokenUrl ?? IMDS_TOKEN_URL;
            check(URL_RE.test(blob) && URL_RE.test(tokenUrl), "blobUrl and tokenUrl must be http(s) URLs without query");
            return `# Upload to ${store.account}/${store.container}/${store.prefix}/ with the machine's managed identity (token on stdin, never argv).
token=$(curl -fsS --noproxy '*' --max-time 10 -H Metadata:true --get \\
    --data-urlencode 'api-version=2018-02-01' --data-urlencode 'resource=https://storage.azure.com/' \\
    --data-urlencode ${shq(identityParam(store.identity))} ${shq(tokenUrl)} |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
[[ -n $token ]]
printf 'Authorization: Bearer %s\\n' "$token" |
  curl -fsS --max-time 1800 -H @- -H 'x-ms-version: ${AZURE_STORAGE_API_VERSION}' -H 'x-ms-blob-type: BlockBlob' -T "$1" \\
    ${shq(`${blob}/${store.container}/${store.prefix}/`)}"$(basename "$1")" >/dev/null`;
        }
    }
}
