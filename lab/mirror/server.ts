/**
 * The lab's mirror: one read-only HTTP server for everything a node downloads, laid out as an
 * air-gapped site would mirror it (README "Air-gapped"):
 *
 *   /debian/...                      the site's Debian mirror (a signed flat apt repository)
 *   /pkgs/core:/stable:/v1.NN/deb/   the Kubernetes package repository, as pkgs.k8s.io lays it out
 *   /github.com/<owner>/<repo>/releases/download/<tag>/...   release archives and their sums
 *   /cni/kube-flannel.yml            flannel's manifest with its images on this registry
 *   /v2/...                          an OCI registry (pull only) serving the toolchain's image layout
 *
 * Files come from the toolchain's manifest.json; nothing is written. Run it with
 * `node -r ts-node/register/transpile-only lab/mirror/server.ts MANIFEST ADDRESS FILES_PORT REGISTRY_PORT`.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";

export interface ToolchainManifest {
    readonly releases: Record<string, { readonly bin: string; readonly etcd: string; readonly coredns: string }>;
    readonly etcd: Record<string, { readonly bin: string }>;
    readonly containerd: { readonly version: string; readonly bin: string; readonly unit: string };
    readonly runc: { readonly version: string; readonly bin: string };
    readonly cniPlugins: { readonly bin: string };
    readonly crictl: { readonly bin: string };
    readonly crane: { readonly bin: string };
    readonly flannel: { readonly version: string; readonly manifest: string };
    readonly debianBase: { readonly rootfs: string; readonly suite: string };
    readonly mirror: {
        readonly kubernetesApt: { readonly dir: string; readonly key: string; readonly path: string };
        readonly debianApt: { readonly dir: string; readonly key: string };
        readonly files: { readonly dir: string; readonly sha256: Record<string, string> };
        readonly images: { readonly layout: string; readonly tags: Record<string, string> };
    };
}

export function readManifest(file: string): ToolchainManifest {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ToolchainManifest;
}

/**
 * flannel's own manifest, pointed at this registry. Its CNI config is written for spec 0.4.0:
 * the flannel CNI plugin here is the one from containernetworking/plugins v0.9.1 (the proxy does
 * not serve flannel-io/cni-plugin), which speaks CNI up to 0.4.0.
 */
export function flannelManifest(original: string, registry: string, version: string): string {
    const out = original
        .replace(/ghcr\.io\/flannel-io\/flannel-cni-plugin:[^\s"]+/g, `${registry}/flannel-io/flannel-cni-plugin:v${version}`)
        .replace(/ghcr\.io\/flannel-io\/flannel:[^\s"]+/g, `${registry}/flannel-io/flannel:v${version}`)
        .replace(/"cniVersion": "1\.0\.0"/g, '"cniVersion": "0.4.0"');
    if (/ghcr\.io|docker\.io/.test(out)) throw new Error("kube-flannel.yml still names an outside registry");
    return out;
}

/** Resolves a URL path under a root directory, refusing anything that leaves it. */
function under(root: string, rel: string): string | undefined {
    const p = path.resolve(root, "." + path.posix.normalize("/" + rel));
    return p === root || p.startsWith(root + path.sep) ? p : undefined;
}

function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string | undefined, type = "application/octet-stream", extra: Record<string, string> = {}): void {
    let st: fs.Stats | undefined;
    try {
        st = file ? fs.statSync(file) : undefined;
    } catch {
        st = undefined;
    }
    if (!file || !st?.isFile()) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        return;
    }
    res.writeHead(200, { "content-type": type, "content-length": String(st.size), ...extra });
    if (req.method === "HEAD") res.end();
    else fs.createReadStream(file).pipe(res);
}

export function mirrorHandler(m: ToolchainManifest, registryHost: string): http.RequestListener {
    const blobs = path.join(m.mirror.images.layout, "blobs", "sha256");
    const flannel = flannelManifest(fs.readFileSync(m.flannel.manifest, "utf8"), registryHost, m.flannel.version);
    const blobFile = (digest: string) => (/^sha256:[0-9a-f]{64}$/.test(digest) ? path.join(blobs, digest.slice(7)) : undefined);
    return (req, res) => {
        let url: string;
        try {
            // Segment by segment: apt escapes '+' and '%' in package file names (decodeURI keeps %2b).
            url = (req.url ?? "/").split("?")[0].split("/").map(decodeURIComponent).join("/");
        } catch {
            res.writeHead(400).end();
            return;
        }
        if (req.method !== "GET" && req.method !== "HEAD") {
            res.writeHead(405).end();
            return;
        }
        if (url === "/v2/" || url === "/v2") {
            res.writeHead(200, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" }).end("{}");
            return;
        }
        const man = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url);
        if (man) {
            const [, name, ref] = man;
            const digest = ref.startsWith("sha256:") ? ref : m.mirror.images.tags[`${name}:${ref}`];
            const file = digest ? blobFile(digest) : undefined;
            if (!file || !fs.existsSync(file)) {
                res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: `${name}:${ref}` }] }));
                return;
            }
            const type = (JSON.parse(fs.readFileSync(file, "utf8")) as { mediaType?: string }).mediaType ?? "application/vnd.oci.image.manifest.v1+json";
            sendFile(req, res, file, type, { "docker-content-digest": digest });
            return;
        }
        const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url);
        if (blob) {
            sendFile(req, res, blobFile(blob[2]), "application/octet-stream", { "docker-content-digest": blob[2] });
            return;
        }
        if (url === "/cni/kube-flannel.yml") {
            res.writeHead(200, { "content-type": "application/yaml", "content-length": String(Buffer.byteLength(flannel)) });
            res.end(req.method === "HEAD" ? undefined : flannel);
            return;
        }
        if (url.startsWith("/debian/")) return sendFile(req, res, under(m.mirror.debianApt.dir, url.slice("/debian/".length)));
        if (url.startsWith("/pkgs/")) return sendFile(req, res, under(m.mirror.kubernetesApt.dir, url.slice("/pkgs/".length)));
        if (url.startsWith("/github.com/")) return sendFile(req, res, under(m.mirror.files.dir, url.slice(1)));
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    };
}

/** Starts the mirror; resolves once both ports listen. */
async function startMirror(m: ToolchainManifest, address: string, filesPort: number, registryPort: number): Promise<http.Server[]> {
    const handler = mirrorHandler(m, `${address}:${registryPort}`);
    const servers = [filesPort, registryPort].map((p) => {
        const s = http.createServer(handler);
        return new Promise<http.Server>((resolve, reject) => {
            s.once("error", reject);
            s.listen(p, address, () => resolve(s));
        });
    });
    return Promise.all(servers);
}

if (require.main === module) {
    const [manifestFile, address, filesPort, registryPort] = process.argv.slice(2);
    if (!manifestFile || !address) {
        console.error("usage: server.ts MANIFEST ADDRESS [FILES_PORT=80] [REGISTRY_PORT=5000]");
        process.exit(2);
    }
    startMirror(readManifest(manifestFile), address, Number(filesPort ?? 80), Number(registryPort ?? 5000)).then(
        () => console.log(`mirror: serving on ${address}:${filesPort ?? 80} (files) and ${address}:${registryPort ?? 5000} (registry)`),
        (e: Error) => {
            console.error(`mirror: ${e.message}`);
            process.exit(1);
        },
    );
    const stop = () => process.exit(0);
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}
