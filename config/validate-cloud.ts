/**
 * Rules for clouds and for managed clusters: placement over zones, networks, worker pools, and
 * the options that exist for one family only.
 */
import type { Derived } from "./defaults";
import { show } from "./errors";
import { cidrSize, contains, overlaps } from "./net";
import { OFFSET, zoneSubnets } from "./placement";
import type { ClusterConfig } from "./schema";

type Add = (path: string, message: string, fix: string) => void;
const P = "cluster";
/** Longest cluster name on AWS: `<name>-api-nlb` and Pulumi's `-` + 7 random characters fit AWS's 32 for load balancers. */
export const AWS_MAX_NAME = 16;

/** What the user wrote under `hacluster:cluster`, before defaults: tells "set" from "defaulted". */
export type RawCluster = Record<string, unknown> | undefined;

function isSet(raw: RawCluster, ...path: string[]): boolean {
    let v: unknown = raw;
    for (const k of path) {
        if (typeof v !== "object" || v === null || !(k in v)) return false;
        v = (v as Record<string, unknown>)[k];
    }
    return v !== undefined;
}

export function checkCloud(cfg: ClusterConfig, d: Derived, add: Add): void {
    const c = cfg.cloud;
    if (d.onprem) {
        if (c) add(`${P}.cloud`, "cloud settings are only for platforms aws, gcp and azure (got platform onprem)", "remove cluster.cloud, or set hacluster:platform");
        if (cfg.workers.pools) add(`${P}.workers.pools`, "worker pools are scaling groups on clouds; on-prem, workers are hosts", "list the workers in cluster.workers.hosts");
        for (const [path, v] of [["controlPlane", cfg.controlPlane.instanceType], ["workers", cfg.workers.instanceType], ["etcd", cfg.etcd.instanceType]] as const) {
            if (v !== undefined) add(`${P}.${path}.instanceType`, `machine types are only for clouds (got ${show(v)} on onprem)`, "remove it: on-prem hosts are the machines you listed");
        }
        return;
    }
    if (cfg.ssh) add(`${P}.ssh`, `ssh settings are for on-prem hosts (got them on ${cfg.platform})`, "remove cluster.ssh; for break-glass access set cluster.cloud.sshPublicKey and sshAllowedCidrs");
    if (!c) {
        add(`${P}.cloud`, `platform ${cfg.platform} needs cloud settings (got nothing)`, "set cluster.cloud.region and cluster.cloud.zones");
        return;
    }
    const zones = c.zones;
    const distinct = new Set(zones);
    if (zones.length === 0) add(`${P}.cloud.zones`, "no zones (got [])", `list the zones of ${c.region} to spread over, at least 3 for profile ha`);
    else if (distinct.size !== zones.length) add(`${P}.cloud.zones`, `a zone is listed twice (got ${show(zones)})`, "list each zone once");
    else if (cfg.profile === "ha" && zones.length < 3) {
        add(`${P}.cloud.zones`, `profile ha spreads over at least 3 zones (got ${zones.length})`, `list 3 zones of ${c.region}, or use profile dev`);
    }
    if (cfg.platform === "azure") {
        const bad = zones.filter((z) => !["1", "2", "3"].includes(z));
        if (bad.length > 0) add(`${P}.cloud.zones`, `Azure zones are "1", "2" and "3" (got ${show(bad)})`, 'use "1", "2", "3"');
    } else {
        const bad = zones.filter((z) => !z.startsWith(c.region));
        if (bad.length > 0) add(`${P}.cloud.zones`, `zones ${show(bad)} are not in region ${c.region}`, `use zones of ${c.region}, e.g. ${c.region}${cfg.platform === "aws" ? "a" : "-b"}`);
    }
    // Image formats are checked here, so a typo is reported with the other config problems.
    if (c.image !== undefined) {
        if (cfg.platform === "aws" && !/^ami-[0-9a-f]{8,17}$/.test(c.image)) {
            add(`${P}.cloud.image`, `${show(c.image)} is not an AMI id`, `use an id like ami-0123456789abcdef0 of ${c.region}`);
        }
        if (cfg.platform === "azure" && c.image.split(":").length !== 4) {
            add(`${P}.cloud.image`, `${show(c.image)} is not publisher:offer:sku:version`, "use e.g. Canonical:ubuntu-24_04-lts:server:latest (pin a version)");
        }
    }
    if (cfg.platform === "aws" && d.name.length > AWS_MAX_NAME) {
        // The NLB and target group are auto-named `<name>-api-nlb-<7 random>`; AWS allows 32 characters.
        add(`${P}.name`, `${show(d.name)} has ${d.name.length} characters; on AWS the API load balancer is named "<name>-api-nlb-" plus 7 random characters and AWS allows 32`, `set cluster.name to at most ${AWS_MAX_NAME} characters`);
    }
    if (cfg.platform === "gcp" && !c.project) add(`${P}.cloud.project`, "platform gcp needs the project id (got nothing)", "set cluster.cloud.project");
    if (cfg.platform !== "gcp" && c.project) add(`${P}.cloud.project`, `a project is a GCP setting (got ${show(c.project)} on ${cfg.platform})`, "remove it");
    if (cfg.platform !== "azure" && c.encryptionAtHost !== undefined) add(`${P}.cloud.encryptionAtHost`, `encryption at host is an Azure setting (got it on ${cfg.platform})`, "remove it");
    if (cfg.platform !== "azure" && c.resourceGroup) add(`${P}.cloud.resourceGroup`, `a resource group is an Azure setting (got ${show(c.resourceGroup)} on ${cfg.platform})`, "remove it");
    checkNetwork(cfg, add);
    checkPools(cfg, d, add);
}

function checkNetwork(cfg: ClusterConfig, add: Add): void {
    const c = cfg.cloud!;
    const ex = c.existingNetwork;
    if (!ex) {
        if (cfg.platform === "aws" && c.zones.length > 0) {
            const sub = zoneSubnets(cfg.network.nodeCidr, c.zones)[0];
            if (cidrSize(sub.cidr) < 64) add(`${P}.network.nodeCidr`, `${cfg.network.nodeCidr} split over ${c.zones.length} zones leaves ${sub.cidr} per zone, too small for the nodes`, "use a /16 to /22, e.g. 10.0.0.0/16");
        }
        return;
    }
    const zonal = cfg.platform === "aws";
    if (zonal && ex.subnets.length !== c.zones.length) {
        add(`${P}.cloud.existingNetwork.subnets`, `AWS subnets are zonal: ${ex.subnets.length} subnets for ${c.zones.length} zones`, "list one subnet per zone, with its zone");
    }
    if (!zonal && ex.subnets.length !== 1) {
        add(`${P}.cloud.existingNetwork.subnets`, `${cfg.platform} subnets are regional: one subnet serves every zone (got ${ex.subnets.length})`, "list exactly one subnet");
    }
    ex.subnets.forEach((s, i) => {
        const path = `${P}.cloud.existingNetwork.subnets[${i}]`;
        if (zonal && !s.zone) add(`${path}.zone`, "an AWS subnet needs its zone (got nothing)", "set the subnet's availability zone");
        if (s.zone && !c.zones.includes(s.zone)) add(`${path}.zone`, `${s.zone} is not in cluster.cloud.zones`, "use a zone from cluster.cloud.zones");
        if (!contains(cfg.network.nodeCidr, s.cidr.split("/")[0]) || !overlaps(cfg.network.nodeCidr, s.cidr)) {
            add(`${path}.cidr`, `${s.cidr} is outside cluster.network.nodeCidr ${cfg.network.nodeCidr}`, "set network.nodeCidr to the network's CIDR");
        }
        if (cidrSize(s.cidr) < 64) add(`${path}.cidr`, `${s.cidr} is too small: nodes take fixed addresses up to .${OFFSET.last}`, "use a /26 or larger subnet");
    });
}

function checkPools(cfg: ClusterConfig, d: Derived, add: Add): void {
    const pools = cfg.workers.pools;
    if (!pools) return;
    if (cfg.workers.count !== undefined) add(`${P}.workers.count`, `count and pools are both set (got count ${cfg.workers.count})`, "remove count and size each pool");
    const names = new Set<string>();
    pools.forEach((p, i) => {
        const path = `${P}.workers.pools[${i}]`;
        if (names.has(p.name)) add(`${path}.name`, `${show(p.name)} is used twice`, "give every pool a unique name");
        names.add(p.name);
        for (const key of Object.keys(p.labels)) {
            // The NodeRestriction admission plugin refuses other kubernetes.io / k8s.io labels set by a kubelet.
            const reserved = /(^|\.)(kubernetes\.io|k8s\.io)\//.test(key) && !/^(node|kubelet)\.kubernetes\.io\//.test(key);
            if (reserved) add(`${path}.labels`, `a kubelet may not set the label ${show(key)} (reserved kubernetes.io / k8s.io namespace)`, "use your own prefix, e.g. example.com/tier, or node.kubernetes.io/...");
        }
        const bad = (p.zones ?? []).filter((z) => !cfg.cloud?.zones.includes(z));
        if (bad.length > 0) add(`${path}.zones`, `${show(bad)} are not in cluster.cloud.zones`, "use zones from cluster.cloud.zones");
    });
    if (pools.length === 0 && !d.managed) add(`${P}.workers.pools`, "no pools (got [])", "list a pool, or remove pools and set workers.count");
}

/** Options that belong to one family only. */
export function checkFamilyOptions(cfg: ClusterConfig, raw: RawCluster, d: Derived, add: Add): void {
    if (!d.managed) {
        if (cfg.managed) add(`${P}.managed`, "managed settings apply to family managed (got family self-managed)", "remove cluster.managed, or set hacluster:family: managed");
        return;
    }
    if (d.onprem) add("family", "managed clusters run on aws (EKS), gcp (GKE) or azure (AKS), not on-prem", "set hacluster:platform to aws, gcp or azure, or use family self-managed");
    const selfManagedOnly: [string[], string][] = [
        [["etcd"], "the provider runs etcd"],
        [["endpoint"], "the provider runs the API endpoint"],
        [["controlPlane"], "the provider runs the control plane"],
        [["kubernetes", "apiServerExtraArgs"], "the provider configures the API server"],
        [["kubernetes", "cniManifestUrl"], "the provider installs the network plugin"],
        [["tolerance"], "the provider places the control plane"],
    ];
    for (const [path, why] of selfManagedOnly) {
        if (isSet(raw, ...path)) add(`${P}.${path.join(".")}`, `is a self-managed (kubeadm) setting; ${why} in family managed`, `remove cluster.${path.join(".")}`);
    }
    if (cfg.workers.hosts.length > 0) add(`${P}.workers.hosts`, "managed node pools are created, not listed", "remove hosts and set cluster.workers.count or pools");
}
