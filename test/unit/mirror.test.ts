/**
 * The lab mirror's HTTP surface on loopback, with a small content tree: the registry answers as
 * containerd expects (media type, digest header, HEAD without a body), files are served only from
 * under their roots, and flannel's manifest is pointed at the mirror.
 */
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { flannelManifest, mirrorHandler, type ToolchainManifest } from "../../lab/mirror/server";

function get(port: number, p: string, method = "GET"): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: p, method }, (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on("error", reject);
        req.end();
    });
}

describe("lab mirror", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-mirror-"));
    let server: http.Server;
    let port = 0;
    const manifestBody = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", layers: [] });
    const digest = `sha256:${crypto.createHash("sha256").update(manifestBody).digest("hex")}`;

    before(async () => {
        fs.mkdirSync(path.join(dir, "oci/blobs/sha256"), { recursive: true });
        fs.writeFileSync(path.join(dir, "oci/blobs/sha256", digest.slice(7)), manifestBody);
        fs.mkdirSync(path.join(dir, "debs/core:/stable:/v1.37/deb"), { recursive: true });
        fs.writeFileSync(path.join(dir, "debs/core:/stable:/v1.37/deb/InRelease"), "signed\n");
        fs.writeFileSync(path.join(dir, "secret"), "outside the roots\n");
        fs.mkdirSync(path.join(dir, "debian"), { recursive: true });
        fs.writeFileSync(path.join(dir, "debian/keepalived_1%3a2.2.7-1+b2_amd64.deb"), "deb\n");
        fs.writeFileSync(path.join(dir, "kube-flannel.yml"), 'image: ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3\nimage: ghcr.io/flannel-io/flannel:v0.28.10\n"cniVersion": "1.0.0",\n');
        const m = {
            flannel: { version: "0.28.10", manifest: path.join(dir, "kube-flannel.yml") },
            mirror: {
                kubernetesApt: { dir: path.join(dir, "debs"), key: "", path: "" },
                debianApt: { dir: path.join(dir, "debian"), key: "" },
                files: { dir: path.join(dir, "files"), sha256: {} },
                images: { layout: path.join(dir, "oci"), tags: { "pause:3.10.2": digest } },
            },
        } as unknown as ToolchainManifest;
        server = http.createServer(mirrorHandler(m, "10.77.0.2:5000"));
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        port = (server.address() as AddressInfo).port;
    });
    after(() => {
        server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("resolves a tag to its manifest with the media type and digest containerd checks, and HEAD has no body", async () => {
        for (const ref of ["3.10.2", digest]) {
            const r = await get(port, `/v2/pause/manifests/${ref}`);
            assert.equal(r.status, 200);
            assert.equal(r.headers["content-type"], "application/vnd.oci.image.manifest.v1+json");
            assert.equal(r.headers["docker-content-digest"], digest);
            assert.equal(r.body, manifestBody);
        }
        const head = await get(port, "/v2/pause/manifests/3.10.2", "HEAD");
        assert.equal(head.status, 200);
        assert.equal(head.headers["content-length"], String(manifestBody.length));
        assert.equal(head.body, "");
        assert.equal((await get(port, "/v2/pause/manifests/9.9")).status, 404);
        assert.equal((await get(port, "/v2/")).status, 200);
    });

    it("serves files from under their roots only", async () => {
        assert.equal((await get(port, "/pkgs/core:/stable:/v1.37/deb/InRelease")).body, "signed\n");
        // apt escapes '+' and '%' in file names: an epoch's colon is %3a in the archive's name.
        assert.equal((await get(port, "/debian/./keepalived_1%253a2.2.7-1%2bb2_amd64.deb")).body, "deb\n");
        for (const p of ["/pkgs/../secret", "/pkgs/%2e%2e/secret", "/github.com/../../secret"]) assert.equal((await get(port, p)).status, 404, p);
        assert.equal((await get(port, "/pkgs/x", "POST")).status, 405);
    });

    it("points flannel's manifest at the mirror and at the CNI spec its plugin speaks", async () => {
        const body = (await get(port, "/cni/kube-flannel.yml")).body;
        assert.match(body, /image: 10\.77\.0\.2:5000\/flannel-io\/flannel-cni-plugin:v0\.28\.10/);
        assert.match(body, /image: 10\.77\.0\.2:5000\/flannel-io\/flannel:v0\.28\.10/);
        assert.match(body, /"cniVersion": "0\.4\.0"/);
        assert.throws(() => flannelManifest("image: docker.io/library/busybox\n", "r:5000", "1"), /outside registry/);
    });
});
