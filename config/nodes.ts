/**
 * What a node downloads and what its operating system is: the mirror (air-gapped installs), the
 * container runtime's releases, and host facts the kubelet must be told (cgroup v1, system
 * containers). Schema, validation and the resolved spec of these sections live here together.
 *
 * Without a mirror, nodes use the upstream sources: pkgs.k8s.io, registry.k8s.io, GitHub release
 * archives checked against the checksum files published beside them.
 */
import { z } from "zod";
import { show } from "./errors";
import { httpUrl, isHttpsUrl } from "./formats";
import * as ipaddr from "ipaddr.js";
import { isIPv4 } from "./net";

/** The etcd release each Kubernetes minor's kubeadm runs (kubeadm constants.DefaultEtcdVersion). */
export const KUBEADM_ETCD: Readonly<Record<number, string>> = { 36: "3.6.8", 37: "3.7.0" };
/** kubeadm's minimum for external etcd (constants.MinExternalEtcdVersion, 1.36 and 1.37). */
export const MIN_EXTERNAL_ETCD = "3.5.24";
const DEFAULT_CONTAINERD = "2.4.2";
const DEFAULT_RUNC = "1.5.3";

const SHA256 = /^[0-9a-f]{64}$/;
const RELEASE = /^\d+\.\d+\.\d+$/;

const archive = z.strictObject({
    /** Where the node downloads the archive (http only on a private address). */
    url: httpUrl(1024, "must be an http(s) URL|give the archive's full URL on your mirror"),
    /** The archive's SHA-256 (64 hex digits): the node refuses anything else. */
    sha256: z.string({ error: "is required with url|give the archive's sha256 (sha256sum FILE)" }).regex(SHA256, { error: "must be 64 lowercase hex digits|copy it from sha256sum FILE" }),
});

/** Everything a node downloads, from one place per kind (air-gapped sites). */
export const MirrorSchema = z.strictObject({
    /** The Kubernetes package repository, laid out as pkgs.k8s.io (a flat apt repository per minor). */
    packages: z
        .strictObject({
            /** Repository URL; `{minor}` is replaced by the Kubernetes minor (e.g. 37). */
            url: z.string().refine((v) => isHttpsUrl(v.replace(/\{minor\}/g, "1.37"), 1024, ["https", "http"]), {
                error: "must be an http(s) URL|e.g. https://mirror.example/pkgs/core:/stable:/v{minor}/deb/",
            }),
            /** The repository's public signing key (ASCII armored). Required with http; else fetched from `<url>Release.key`. */
            signingKey: z.string().optional(),
        })
        .optional(),
    /** The image registry for kubeadm's images (kubeadm `imageRepository`) and the pause image. */
    images: z
        .strictObject({
            /** `host[:port][/path]`, e.g. `registry.example:5000/k8s`. */
            repository: z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?(\/[a-z0-9._/-]+)?$/, { error: "must be host[:port][/path]|e.g. registry.example:5000/k8s" }),
            /** Plain HTTP (only for a registry on a private address). @default false */
            insecure: z.boolean().default(false),
            /** CA certificate (PEM) the registry's TLS certificate is signed by, when not a public CA. */
            caCert: z.string().optional(),
        })
        .optional(),
    /** etcd release archive (etcd-vX-linux-amd64.tar.gz) of the release the cluster runs. */
    etcd: archive.optional(),
    /** containerd release archive (containerd-X-linux-amd64.tar.gz). */
    containerd: archive.optional(),
    /** runc binary (runc.amd64). */
    runc: archive.optional(),
});

/** The container runtime every node installs from release archives. */
export const ContainerRuntimeSchema = z.strictObject({
    /** containerd 2.x release. @default "2.4.2" */
    containerdVersion: z.string().regex(/^2\.\d+\.\d+$/, { error: "must be a containerd 2.x release|use e.g. 2.4.2" }).default(DEFAULT_CONTAINERD),
    /** runc release. @default "1.5.3" */
    runcVersion: z.string().regex(RELEASE, { error: "must be a release MAJOR.MINOR.PATCH|use e.g. 1.5.3" }).default(DEFAULT_RUNC),
});

/** Facts about the hosts' operating system that change how the kubelet must run. */
export const NodeOsSchema = z.strictObject({
    /**
     * The hosts boot with cgroup v1 (older distributions, or a host kept on v1): the kubelet
     * (≥ 1.35 refuses v1 by default) is told `failCgroupV1: false` and kubeadm's preflight
     * system verification, which fails on v1, is skipped. @default false
     */
    cgroupV1: z.boolean().default(false),
    /**
     * The hosts are system containers (LXD, systemd-nspawn) without CAP_SYS_RESOURCE and with the
     * kernel's conntrack table owned by their host: containerd does not lower OOM scores below
     * its own, and kube-proxy leaves conntrack sizing alone. @default false
     */
    systemContainers: z.boolean().default(false),
});

export type MirrorConfig = z.output<typeof MirrorSchema>;

interface ArchiveSpec {
    readonly url: string;
    readonly sha256: string;
}

/** The resolved mirror: only what the stack sets; absent kinds come from upstream. */
export interface MirrorSpec {
    readonly packages?: { readonly url: string; readonly signingKey?: string };
    readonly images?: { readonly repository: string; readonly insecure: boolean; readonly caCert?: string };
    readonly etcd?: ArchiveSpec;
    readonly containerd?: ArchiveSpec;
    readonly runc?: ArchiveSpec;
}

type Add = (path: string, message: string, fix: string) => void;

const PRIVATE_NAME = /(^[a-z0-9-]+$)|\.(internal|local|lan|corp|home\.arpa|localdomain)$/;

/** True for hosts on a private network: RFC 1918 / shared / loopback addresses, or private names. */
function isPrivateHost(host: string): boolean {
    const h = host.replace(/:\d+$/, "").toLowerCase();
    if (isIPv4(h)) return ["private", "loopback", "carrierGradeNat", "linkLocal"].includes(ipaddr.IPv4.parse(h).range());
    return PRIVATE_NAME.test(h);
}

function hostOf(url: string): string {
    try {
        return new URL(url).hostname;
    } catch {
        return "";
    }
}

/** Cross-field rules of the mirror: plain HTTP only on private addresses, keys where trust needs them. */
export function checkMirror(m: MirrorConfig | undefined, cniManifestUrl: string | undefined, add: Add): void {
    const P = "cluster.mirror";
    const plainHttp = (path: string, url: string) => {
        if (url.startsWith("http:") && !isPrivateHost(hostOf(url))) {
            add(path, `plain HTTP to ${show(hostOf(url))}, which is not a private address`, "use https, or a mirror on a private address (10/8, 172.16/12, 192.168/16, 100.64/10, or a .internal/.local name)");
        }
    };
    if (m?.packages) {
        plainHttp(`${P}.packages.url`, m.packages.url);
        if (!m.packages.url.endsWith("/")) add(`${P}.packages.url`, `must end with / (got ${show(m.packages.url)})`, "apt reads <url>InRelease: end the URL with /");
        if (m.packages.url.startsWith("http:") && !m.packages.signingKey) {
            add(`${P}.packages.signingKey`, "is required when the repository is plain HTTP", "paste the repository's ASCII-armored public key: fetching it over HTTP would trust whoever answers");
        }
        if (m.packages.signingKey !== undefined && !/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----/.test(m.packages.signingKey)) {
            add(`${P}.packages.signingKey`, "must be an ASCII-armored OpenPGP public key", "paste the output of gpg --armor --export KEYID (the repository's Release.key)");
        }
    }
    if (m?.images) {
        const host = m.images.repository.split("/")[0];
        if (m.images.insecure && !isPrivateHost(host)) {
            add(`${P}.images.insecure`, `plain HTTP to ${show(host)}, which is not a private address`, "serve the registry over TLS (set caCert for a private CA), or keep it on a private address");
        }
        if (m.images.caCert !== undefined && !/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(m.images.caCert)) {
            add(`${P}.images.caCert`, "must be a PEM certificate", "paste the CA certificate (-----BEGIN CERTIFICATE----- ...)");
        }
        if (m.images.insecure && m.images.caCert !== undefined) add(`${P}.images.caCert`, "is set while insecure is true", "use TLS with caCert, or plain HTTP without it");
    }
    for (const kind of ["etcd", "containerd", "runc"] as const) {
        const a = m?.[kind];
        if (a) plainHttp(`${P}.${kind}.url`, a.url);
    }
    if (cniManifestUrl) plainHttp("cluster.kubernetes.cniManifestUrl", cniManifestUrl);
}

export function mirrorSpec(m: MirrorConfig | undefined): MirrorSpec {
    if (!m) return {};
    return {
        ...(m.packages ? { packages: { url: m.packages.url, ...(m.packages.signingKey ? { signingKey: m.packages.signingKey } : {}) } } : {}),
        ...(m.images ? { images: { repository: m.images.repository, insecure: m.images.insecure, ...(m.images.caCert ? { caCert: m.images.caCert } : {}) } } : {}),
        ...(m.etcd ? { etcd: { ...m.etcd } } : {}),
        ...(m.containerd ? { containerd: { ...m.containerd } } : {}),
        ...(m.runc ? { runc: { ...m.runc } } : {}),
    };
}

/** Compares dotted releases numerically. */
export function compareRelease(a: string, b: string): number {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
}
