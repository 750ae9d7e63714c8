import { strict as assert } from "node:assert";
import { backupStoreUrl, renderBackupUpload } from "../../components/render/backup-store";

describe("render/backup-store: store URLs", () => {
    it("names each store as operators' tools take it", () => {
        assert.equal(backupStoreUrl({ kind: "s3", bucket: "dev-etcd-backups-1a2b3c4" }), "s3://dev-etcd-backups-1a2b3c4");
        assert.equal(backupStoreUrl({ kind: "gcs", bucket: "dev-etcd-backups-p1" }), "gs://dev-etcd-backups-p1");
        assert.equal(backupStoreUrl({ kind: "azureBlob", account: "devetcd0123abcd", container: "etcd-snapshots" }), "https://devetcd0123abcd.blob.core.windows.net/etcd-snapshots");
    });

    it("the upload script writes under that URL, the member's name as prefix", () => {
        const s3 = renderBackupUpload({ kind: "s3", bucket: "b-1", region: "eu-west-1", prefix: "cp-1" });
        assert.ok(s3.includes(`'s3://b-1/cp-1/'"$(basename "$1")"`), s3);
        const az = renderBackupUpload({ kind: "azureBlob", account: "acct1", container: "etcd-snapshots", prefix: "cp-2", identity: { clientId: "00000000-0000-0000-0000-000000000001" } });
        assert.ok(az.includes(`'https://acct1.blob.core.windows.net/etcd-snapshots/cp-2/'"$(basename "$1")"`), az);
        assert.match(renderBackupUpload({ kind: "gcs", bucket: "g-1", prefix: "etcd-1" }), /^# Upload to gs:\/\/g-1\/etcd-1\//);
    });
});
