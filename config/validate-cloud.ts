/**
 * Rules for clouds and for managed clusters: placement over zones, networks and the addresses
 * they must hold, worker pools and their labels, provider names, and the options that exist for
 * one family only.
 */
import type { Derived } from "./defaults";
import { joinPath, show } from "./errors";
import { isLabelKey, isReservedLabel, isZoneOf, LABEL_KEY_FIX, LABEL_VALUE, LABEL_VALUE_FIX, zoneFormat } from "./formats";
import { cidrSize, contains, overlaps } from "./net";
import { OFFSET, publicSubnetCidrs, roundRobin, zoneBlockPrefix, zoneSubnets } from "./placement";
import { AZURE_IMAGE, azureResourceGroupProblem, clusterNameProblems, gcpProjectProblem } from "./provider-names";
import { LIMITS, type ClusterConfig } from "./schema";

type Add = (path: string, message: string, fix: string) => void;
type Cloud = Exclude<ClusterConfig["platform"], "onprem">;
const P = "cluster";

/** Addresses each cloud keeps in every subnet: AWS and Azure the first four and the last, GCP the first two and the last two. */
const RESERVED: Readonly<Record<Cloud, number>> = { aws: 5, azure: 5, gcp: 4 };
/** Fixed node addresses go up to this offset, so a node subnet holds at least a /26. */
const MIN_NODE_SUBNET = 64;

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
    const platform = cfg.platform as Cloud;
    if (cfg.ssh) add(`${P}.ssh`, `ssh settings are for on-prem hosts (got them on ${platform})`, "remove cluster.ssh; for break-glass access set cluster.cloud.sshPublicKey and sshAllowedCidrs");
    if (!c) {
        add(`${P}.cloud`, `platform ${platform} needs cloud settings (got nothing)`, "set cluster.cloud.region and cluster.cloud.zones");
        return;
    }
    const zones = c.zones;
    const distinct = new Set(zones);
    if (zones.length === 0) add(`${P}.cloud.zones`, "no zones (got [])", `list the zones of ${c.region} to spread over, at least 3 for profile ha`);
    else if (distinct.size !== zones.length) add(`${P}.cloud.zones`, `a zone is listed twice (got ${show(zones)})`, "list each zone once");
    else if (cfg.profile === "ha" && zones.length < 3) {
        add(`${P}.cloud.zones`, `profile ha spreads over at least 3 zones (got ${zones.length})`, `list 3 zones of ${c.region}, or use profile dev`);
    }
    const bad = zones.filter((z) => !isZoneOf(platform, c.region, z));
    if (bad.length > 0) {
        if (platform === "azure") add(`${P}.cloud.zones`, `Azure zones are "1", "2" and "3" (got ${show(bad)})`, 'use "1", "2", "3"');
        else add(`${P}.cloud.zones`, `zones ${show(bad)} are not zones of region ${c.region}`, zoneFormat(platform, c.region));
    }
    // Image formats are checked here, so a typo is reported with the other config problems.
    if (c.image !== undefined) {
        if (platform === "aws" && !/^ami-[0-9a-f]{8,17}$/.test(c.image)) {
            add(`${P}.cloud.image`, `${show(c.image)} is not an AMI id`, `use an id like ami-0123456789abcdef0 of ${c.region}`);
        }
        if (platform === "azure" && !AZURE_IMAGE.test(c.image)) {
            add(`${P}.cloud.image`, `${show(c.image)} is not publisher:offer:sku:version`, "use e.g. Canonical:ubuntu-24_04-lts:server:latest (pin a version)");
        }
    }
    for (const p of clusterNameProblems(d.name, platform, cfg.family)) add(`${P}.name`, p.message, p.fix);
    if (platform === "gcp") {
        if (!c.project) add(`${P}.cloud.project`, "platform gcp needs the project id (got nothing)", "set cluster.cloud.project");
        const p = c.project ? gcpProjectProblem(c.project) : undefined;
        if (p) add(`${P}.cloud.project`, p.message, p.fix);
    }
    if (platform !== "gcp" && c.project) add(`${P}.cloud.project`, `a project is a GCP setting (got ${show(c.project)} on ${platform})`, "remove it");
    if (platform !== "azure" && c.encryptionAtHost !== undefined) add(`${P}.cloud.encryptionAtHost`, `encryption at host is an Azure setting (got it on ${platform})`, "remove it");
    if (platform !== "azure" && c.resourceGroup) add(`${P}.cloud.resourceGroup`, `a resource group is an Azure setting (got ${show(c.resourceGroup)} on ${platform})`, "remove it");
    if (platform === "azure" && c.resourceGroup !== undefined) {
        const p = azureResourceGroupProblem(c.resourceGroup);
        if (p) add(`${P}.cloud.resourceGroup`, p.message, p.fix);
    }
    if (platform === "azure" && !d.managed && d.endpointKind !== "loadBalancer" && d.endpointKind !== "vip") {
        // (vip is refused on every cloud with the endpoint rules)
        add(`${P}.endpoint.kind`, `${d.endpointKind} is not available on azure (got ${show(d.endpointKind)})`, "use loadBalancer (the default on clouds)");
    }
    if (platform === "aws" && !d.managed && c.publicEndpoint && c.existingNetwork) {
        add(
            `${P}.cloud.publicEndpoint`,
            "a public API load balancer needs public subnets, and cluster.cloud.existingNetwork names none (got true)",
            "set publicEndpoint: false and reach the internal NLB through your VPN or peering, or let the stack create the network",
        );
    }
    checkNetwork(cfg, d, platform, add);
    checkPools(cfg, d, add);
}

/** The smallest node network prefix whose blocks hold `need` addresses, split `bits` ways. */
function prefixFor(need: number, bits = 0): number {
    return 32 - Math.ceil(Math.log2(Math.max(need, MIN_NODE_SUBNET))) - bits;
}

/** Workers per zone: each pool spread evenly over its zones (a scaling group balances them). */
function workersPerZone(cfg: ClusterConfig, d: Derived): Map<string, number> {
    const zones = cfg.cloud!.zones;
    const pools = cfg.workers.pools ?? [{ count: d.workers, zones: undefined }];
    const out = new Map<string, number>(zones.map((z) => [z, 0]));
    for (const p of pools) {
        const pz = p.zones && p.zones.length > 0 ? zones.filter((z) => p.zones!.includes(z)) : zones;
        for (const z of pz) out.set(z, out.get(z)! + Math.ceil(p.count / pz.length));
    }
    return out;
}

/**
 * The node network holds what the topology puts in it: the fixed addresses (endpoint at .5,
 * control planes from .10, external etcd from .30, up to .49) and the workers; AWS's new VPC
 * also leaves room for a public subnet per zone.
 */
function checkNetwork(cfg: ClusterConfig, d: Derived, platform: Cloud, add: Add): void {
    const c = cfg.cloud!;
    const ex = c.existingNetwork;
    const zones = c.zones;
    if (zones.length === 0 || new Set(zones).size !== zones.length) return; // reported with the zones
    const reserved = RESERVED[platform];
    const selfManaged = !d.managed;
    const externalEtcd = selfManaged && d.etcdTopology === "external" ? d.etcdMembers : 0;
    if (platform === "aws") {
        if (!ex) {
            const block = zoneBlockPrefix(cfg.network.nodeCidr, zones.length);
            if (2 ** (32 - block) < MIN_NODE_SUBNET) {
                const each = block <= 32 ? zoneSubnets(cfg.network.nodeCidr, zones)[0].cidr : "less than an address";
                add(`${P}.network.nodeCidr`, `${cfg.network.nodeCidr} split over ${zones.length} zones leaves ${each} per zone, too small for the nodes`, "use a /16 to /22, e.g. 10.0.0.0/16");
                return;
            }
            const subnets = zoneSubnets(cfg.network.nodeCidr, zones);
            if (selfManaged && !publicSubnetCidrs(cfg.network.nodeCidr, zones, subnets)) {
                add(`${P}.network.nodeCidr`, `${cfg.network.nodeCidr} split over ${zones.length} zones leaves no room for a public (NAT) subnet per zone`, "use a larger network, e.g. 10.0.0.0/16, or bring your own VPC in cluster.cloud.existingNetwork");
            }
        }
        checkZonalCapacity(cfg, d, externalEtcd, add);
        if (ex) checkExisting(cfg, platform, add);
        return;
    }
    // GCP and Azure: one regional subnet for every zone.
    const subnet = ex?.subnets[0]?.cidr ?? cfg.network.nodeCidr;
    const path = ex ? `${P}.cloud.existingNetwork.subnets[0].cidr` : `${P}.network.nodeCidr`;
    if (ex) checkExisting(cfg, platform, add);
    if (selfManaged && cidrSize(subnet) < MIN_NODE_SUBNET) {
        if (!ex) add(path, `${subnet} is too small: nodes take fixed addresses up to .${OFFSET.last}`, "use a /26 or larger subnet");
        return;
    }
    // AKS runs a system pool besides the user pools: a node per zone for profile ha.
    const system = d.managed && platform === "azure" ? (cfg.profile === "ha" ? zones.length : 1) : 0;
    const fixed = selfManaged ? d.controlPlanes + externalEtcd + 1 : 0;
    const room = cidrSize(subnet) - reserved - fixed;
    const workers = d.workers + system;
    if (workers > room && d.workers <= 5000) {
        const fits = `has room for ${Math.max(room, 0)} workers beside ${fixed} fixed addresses and the ${reserved} the cloud keeps (got ${workers} workers)`;
        add(path, `${subnet} ${fits}`, ex ? "use a larger subnet" : `use a /${prefixFor(workers + fixed + reserved)} or larger node network`);
    }
}

/** AWS: every zone's subnet holds its fixed addresses and its share of the workers. */
function checkZonalCapacity(cfg: ClusterConfig, d: Derived, externalEtcd: number, add: Add): void {
    const c = cfg.cloud!;
    const zones = c.zones;
    const ex = c.existingNetwork;
    const subnets = ex ? zones.map((z, i) => ex.subnets.find((s) => s.zone === z)?.cidr ?? ex.subnets[i]?.cidr) : zoneSubnets(cfg.network.nodeCidr, zones).map((s) => s.cidr);
    const fixedIn = new Map<string, number>(zones.map((z) => [z, d.managed ? 0 : 1])); // the internal NLB's address (.5)
    if (!d.managed) {
        for (const z of [...roundRobin(d.controlPlanes, zones), ...roundRobin(externalEtcd, zones)]) fixedIn.set(z, fixedIn.get(z)! + 1);
    }
    const perZone = workersPerZone(cfg, d);
    if (d.workers > 5000) return; // reported as a count
    for (const [i, zone] of zones.entries()) {
        const subnet = subnets[i];
        if (!subnet || cidrSize(subnet) < MIN_NODE_SUBNET) continue; // reported with the subnets
        const fixed = fixedIn.get(zone)!;
        const room = cidrSize(subnet) - RESERVED.aws - fixed;
        const workers = perZone.get(zone)!;
        if (workers <= room) continue;
        const fits = `room for ${Math.max(room, 0)} workers beside ${fixed} fixed address${fixed === 1 ? "" : "es"} and the ${RESERVED.aws} the cloud keeps (got ${workers} workers in ${zone})`;
        if (ex) add(`${P}.cloud.existingNetwork.subnets[${ex.subnets.findIndex((s) => s.cidr === subnet)}].cidr`, `${subnet} has ${fits}`, "use a larger subnet");
        else add(`${P}.network.nodeCidr`, `${cfg.network.nodeCidr} split over ${zones.length} zones leaves ${subnet} per zone: ${fits}`, `use a /${prefixFor(workers + fixed + RESERVED.aws, Math.ceil(Math.log2(zones.length + 1)))} or larger node network`);
        return; // one zone says it
    }
}

function checkExisting(cfg: ClusterConfig, platform: Cloud, add: Add): void {
    const c = cfg.cloud!;
    const ex = c.existingNetwork!;
    const zonal = platform === "aws";
    if (zonal && ex.subnets.length !== c.zones.length) {
        add(`${P}.cloud.existingNetwork.subnets`, `AWS subnets are zonal: ${ex.subnets.length} subnets for ${c.zones.length} zones`, "list one subnet per zone, with its zone");
    }
    if (!zonal && ex.subnets.length !== 1) {
        add(`${P}.cloud.existingNetwork.subnets`, `${platform} subnets are regional: one subnet serves every zone (got ${ex.subnets.length})`, "list exactly one subnet");
    }
    ex.subnets.forEach((s, i) => {
        const path = `${P}.cloud.existingNetwork.subnets[${i}]`;
        if (zonal && !s.zone) add(`${path}.zone`, "an AWS subnet needs its zone (got nothing)", "set the subnet's availability zone");
        if (s.zone && !c.zones.includes(s.zone)) add(`${path}.zone`, `${s.zone} is not in cluster.cloud.zones`, "use a zone from cluster.cloud.zones");
        if (!contains(cfg.network.nodeCidr, s.cidr.split("/")[0]) || !overlaps(cfg.network.nodeCidr, s.cidr)) {
            add(`${path}.cidr`, `${s.cidr} is outside cluster.network.nodeCidr ${cfg.network.nodeCidr}`, "set network.nodeCidr to the network's CIDR");
        }
        if (cidrSize(s.cidr) < MIN_NODE_SUBNET) add(`${path}.cidr`, `${s.cidr} is too small: nodes take fixed addresses up to .${OFFSET.last}`, "use a /26 or larger subnet");
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
        const labels = Object.entries(p.labels);
        if (labels.length > LIMITS.labels) add(`${path}.labels`, `lists ${labels.length} labels, more than ${LIMITS.labels}`, "keep the labels workloads select on");
        for (const [key, value] of labels) {
            const at = joinPath([P, "workers", "pools", i, "labels", key]);
            // A label is `key=value` in the kubelet's comma-separated --node-labels: only label syntax may get there.
            if (!isLabelKey(key)) add(at, `${show(key)} is not a Kubernetes label key`, LABEL_KEY_FIX);
            // The NodeRestriction admission plugin refuses other kubernetes.io / k8s.io labels set by a kubelet.
            else if (isReservedLabel(key)) add(`${path}.labels`, `a kubelet may not set the label ${show(key)} (reserved kubernetes.io / k8s.io namespace)`, "use your own prefix, e.g. example.com/tier, or node.kubernetes.io/...");
            if (!LABEL_VALUE.test(value)) add(at, `${show(value)} is not a Kubernetes label value`, LABEL_VALUE_FIX);
        }
        if (p.zones && p.zones.length === 0) {
            add(`${path}.zones`, "no zones (got [])", "list zones from cluster.cloud.zones, or remove zones to use all of them");
        } else {
            const bad = (p.zones ?? []).filter((z) => !cfg.cloud?.zones.includes(z));
            if (bad.length > 0) add(`${path}.zones`, `${show(bad)} are not in cluster.cloud.zones`, "use zones from cluster.cloud.zones");
        }
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
