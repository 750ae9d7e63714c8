/**
 * What EKS, GKE and AKS cannot run, checked with every other rule (these checks used to run in
 * the managed components, after validation, so their problems came alone and late).
 */
import type { Derived } from "./defaults";
import { show } from "./errors";
import { cidrSize, overlaps, parseCidr } from "./net";
import { eksPublicSubnets, gkeMasterCidr, zoneBlockPrefix } from "./placement";
import { AKS_SYSTEM_POOL, aksPoolName } from "./provider-names";
import { ManagedSchema, type ClusterConfig } from "./schema";

type Add = (path: string, message: string, fix: string) => void;
const P = "cluster";

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
/** An IAM role or user ARN (EKS access entries). */
const ADMIN_ARN = /^arn:aws[-a-z]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
/** An IAM member (GKE): `group:`, `user:`, `serviceAccount:`, ... */
const IAM_MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):\S+$/;
/** An Entra ID object id (AKS admin groups). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkManaged(cfg: ClusterConfig, d: Derived, add: Add): void {
    if (!d.managed || !cfg.cloud) return;
    const managed = cfg.managed ?? ManagedSchema.parse({});
    switch (cfg.platform) {
        case "aws":
            return checkEks(cfg, managed.adminPrincipals, add);
        case "gcp":
            return checkGke(cfg, managed, add);
        case "azure":
            return checkAks(cfg, managed.adminPrincipals, add);
        case "onprem":
            return; // refused with the family options
        default: {
            const never: never = cfg.platform;
            throw new Error(`unknown platform ${String(never)}`);
        }
    }
}

function checkEks(cfg: ClusterConfig, admins: readonly string[], add: Add): void {
    const cloud = cfg.cloud!;
    if (cloud.zones.length > 0 && cloud.zones.length < 2) {
        add(`${P}.cloud.zones`, `EKS needs subnets in at least 2 availability zones (got ${cloud.zones.length})`, `list 2 or more zones of ${cloud.region}, 3 for profile ha`);
    } else if (cloud.zones.length >= 2 && !cloud.existingNetwork && zoneBlockPrefix(cfg.network.nodeCidr, cloud.zones.length) <= 26 && !eksPublicSubnets(cfg.network.nodeCidr, cloud.zones)) {
        // (zone blocks under a /26 are reported with the node network)
        add(`${P}.network.nodeCidr`, `${cfg.network.nodeCidr} split over ${cloud.zones.length} zones leaves no room for a public (NAT) subnet per zone`, "use a larger network, e.g. 10.0.0.0/16, or bring your own VPC in cluster.cloud.existingNetwork");
    }
    const svc = cfg.kubernetes.serviceSubnet;
    const prefix = parseCidr(svc).prefix;
    if (!PRIVATE_RANGES.some((r) => overlaps(r, svc) && parseCidr(r).prefix <= prefix) || prefix > 24 || cidrSize(svc) > cidrSize("0.0.0.0/12")) {
        add(`${P}.kubernetes.serviceSubnet`, `EKS takes a service range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, from /12 to /24 (got ${svc})`, "use e.g. 10.96.0.0/12 or 172.20.0.0/16");
    }
    admins.forEach((p, i) => {
        if (!ADMIN_ARN.test(p)) add(`${P}.managed.adminPrincipals[${i}]`, `EKS admins are IAM role or user ARNs (got ${show(p)})`, "write e.g. arn:aws:iam::123456789012:role/platform-admins");
    });
}

function checkGke(cfg: ClusterConfig, managed: { readonly privateNodes: boolean; readonly adminPrincipals: readonly string[] }, add: Add): void {
    const cloud = cfg.cloud!;
    if (!cloud.publicEndpoint && !managed.privateNodes) {
        add(`${P}.cloud.publicEndpoint`, "a GKE cluster with a private endpoint needs private nodes (got managed.privateNodes: false)", "set cluster.managed.privateNodes: true, or cloud.publicEndpoint: true");
    }
    const taken = [cfg.network.nodeCidr, cfg.kubernetes.podSubnet, cfg.kubernetes.serviceSubnet, ...(cloud.existingNetwork?.subnets.map((s) => s.cidr) ?? [])];
    if (managed.privateNodes && !gkeMasterCidr(taken)) {
        add(`${P}.network.nodeCidr`, "every candidate /28 for the private control plane overlaps the cluster's ranges", "keep one of 172.16.0.0/28 or 172.31.255.240/28 free");
    }
    managed.adminPrincipals.forEach((p, i) => {
        if (!IAM_MEMBER.test(p)) add(`${P}.managed.adminPrincipals[${i}]`, `GKE admins are IAM members (got ${show(p)})`, "write e.g. group:platform-admins@example.com or user:alice@example.com");
    });
}

function checkAks(cfg: ClusterConfig, admins: readonly string[], add: Add): void {
    const seen = new Map<string, string>([[AKS_SYSTEM_POOL, "the system pool"]]);
    (cfg.workers.pools ?? []).forEach((p, i) => {
        const n = aksPoolName(p.name);
        const other = seen.get(n);
        if (other) add(`${P}.workers.pools[${i}].name`, `${show(p.name)} becomes the AKS pool name ${show(n)}, which ${other} already has`, "rename the pool so its first 12 letters and digits differ");
        seen.set(n, `pool ${show(p.name)}`);
    });
    admins.forEach((p, i) => {
        if (!GUID.test(p)) add(`${P}.managed.adminPrincipals[${i}]`, `AKS admins are Entra ID group object ids (got ${show(p)})`, "write the group's object id, e.g. 00000000-0000-0000-0000-000000000000");
    });
}
