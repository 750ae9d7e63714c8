/**
 * Cross-field rules over a structurally valid config. Every rule adds problems to one list, so a
 * user sees every mistake at once. Messages name the value; fixes say what to write instead.
 */
import { fromCron, notRepeating, parseCalendar } from "./calendar";
import { derive, type Derived } from "./defaults";
import { joinPath, show, type Problem } from "./errors";
import { DNS_LABEL, DNS_NAME, flagNameProblem, isAddressOrName } from "./formats";
import { cidrSize, contains, hasHostBits, isIPv4, isReserved, networkOf, overlaps, parseCidr } from "./net";
import { memberTolerance, quorum, zoneLoss, type ZoneGroup } from "./quorum";
import { roundRobin } from "./placement";
import { checkMirror, compareRelease, KUBEADM_ETCD, MIN_EXTERNAL_ETCD } from "./nodes";
import { DEFAULT_ZONE, LIMITS, type ClusterConfig, type HostConfig } from "./schema";
import { checkCloud, checkFamilyOptions, type RawCluster } from "./validate-cloud";
import { checkManaged } from "./validate-managed";
import { MANAGED_OLDEST_MINOR, NEWEST_MINOR, OLDEST_MINOR, parseVersion } from "./versions";

/** Facts about the stack outside `hacluster:cluster`. */
export interface ValidationContext {
    /** Stack name: the default cluster name. */
    readonly stack: string;
    /** Whether a config key of the project namespace is set, and as a secret. Unknown when absent. */
    readonly configKey?: (key: string) => "secret" | "plain" | "unset";
    /**
     * Every key set in the project's namespace (`hacluster:<key>`, without the prefix); keys
     * nothing reads are reported with the nearest known one. Unchecked when absent.
     */
    readonly keys?: readonly string[];
}

export interface Findings {
    readonly problems: Problem[];
    readonly warnings: Problem[];
}

const P = "cluster";
const MAX_NODES = 5000;
const MAX_PODS_PER_NODE = 110;
const MAX_PODS = 150000;
/** Ranges that are not unicast addresses a node, pod or service can have (link-local: the clouds' metadata service lives there). */
const SPECIAL_RANGES: readonly [string, string][] = [
    ["0.0.0.0/8", "this network"],
    ["127.0.0.0/8", "loopback"],
    ["169.254.0.0/16", "link-local, where the cloud metadata service answers"],
    ["224.0.0.0/4", "multicast"],
    ["240.0.0.0/4", "reserved"],
];
/** kubeadm gives the cluster DNS service this address of the service range (`GetDNSIP`: index 10). */
const DNS_SERVICE_INDEX = 10;

interface Located {
    readonly path: string;
    readonly host: HostConfig;
}

function listed(cfg: ClusterConfig): Located[] {
    const lists: [string, readonly HostConfig[]][] = [
        [`${P}.endpoint.lbHosts`, cfg.endpoint.lbHosts],
        [`${P}.controlPlane.hosts`, cfg.controlPlane.hosts],
        [`${P}.etcd.hosts`, cfg.etcd.hosts],
        [`${P}.workers.hosts`, cfg.workers.hosts],
    ];
    return lists.flatMap(([path, hosts]) => hosts.map((host, i) => ({ path: `${path}[${i}]`, host })));
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function validate(cfg: ClusterConfig, ctx: ValidationContext, raw?: RawCluster): Findings {
    const problems: Problem[] = [];
    const warnings: Problem[] = [];
    const add = (path: string, message: string, fix: string) => problems.push({ path, message, fix });
    const warn = (path: string, message: string, fix: string) => warnings.push({ path, message, fix });
    const d = derive(cfg, ctx.stack);

    checkFamilyOptions(cfg, raw, d, add);
    checkCloud(cfg, d, add);
    if (!DNS_LABEL.test(d.name)) {
        add(`${P}.name`, `the cluster name defaults to the stack name ${show(d.name)}, which is not a DNS label`, "set cluster.name to lowercase letters, digits and '-'");
    }
    checkKubernetes(cfg, d, add, warn);
    checkCounts(cfg, d, add, warn);
    const etcdCountOk = d.managed || checkEtcd(cfg, d, add, warn);
    checkBackup(cfg, d, add);
    checkNetwork(cfg, d, add);
    checkHosts(cfg, add);
    if (!d.managed) checkEndpoint(cfg, d, add);
    // An impossible member count already explains the lost quorum; one mistake, one message.
    if (etcdCountOk) checkZones(cfg, d, add);
    checkSsh(cfg, d, ctx, add);
    checkManaged(cfg, d, add);
    checkMirror(cfg.mirror, cfg.kubernetes.cniManifestUrl, add);
    checkEtcdRelease(cfg, d, add);
    return { problems, warnings };
}

type Add = (path: string, message: string, fix: string) => void;

/** etcd.version: external members only, and no older than kubeadm accepts; stacked runs kubeadm's. */
function checkEtcdRelease(cfg: ClusterConfig, d: Derived, add: Add): void {
    const v = cfg.etcd.version;
    if (v === undefined || d.managed) return;
    const minor = parseVersion(cfg.kubernetes.version)?.minor;
    if (cfg.etcd.topology === "stacked") {
        const kubeadm = minor !== undefined ? KUBEADM_ETCD[minor] : undefined;
        add(`${P}.etcd.version`, `is set (${show(v)}) but stacked etcd runs the release kubeadm picks${kubeadm ? ` (${kubeadm} for 1.${minor})` : ""}`, "remove etcd.version, or use topology external");
    } else if (compareRelease(v, MIN_EXTERNAL_ETCD) < 0) {
        add(`${P}.etcd.version`, `${v} is older than ${MIN_EXTERNAL_ETCD}, the oldest external etcd kubeadm accepts`, `use ${minor !== undefined && KUBEADM_ETCD[minor] ? KUBEADM_ETCD[minor] : "3.6.8 or newer"}`);
    }
}

function checkKubernetes(cfg: ClusterConfig, d: Derived, add: Add, warn: Add): void {
    const k = cfg.kubernetes;
    const v = parseVersion(k.version);
    if (!v) {
        add(`${P}.kubernetes.version`, `must be MAJOR.MINOR.PATCH (got ${show(k.version)})`, "write the full release, e.g. 1.34.2");
    } else {
        const oldest = d.managed ? MANAGED_OLDEST_MINOR : OLDEST_MINOR;
        if (v.major !== 1 || v.minor < oldest || v.minor > NEWEST_MINOR) {
            add(
                `${P}.kubernetes.version`,
                `${k.version} is outside the supported window 1.${oldest}–1.${NEWEST_MINOR}${d.managed ? "" : " (the releases whose kubeadm this project is tested with)"}`,
                `use a release from 1.${oldest} to 1.${NEWEST_MINOR}`,
            );
        }
    }
    if (k.maxPodsPerNode > MAX_PODS_PER_NODE || k.maxPodsPerNode < 10) {
        add(
            `${P}.kubernetes.maxPodsPerNode`,
            `${k.maxPodsPerNode} pods per node is outside 10–${MAX_PODS_PER_NODE}, the range Kubernetes is tested for`,
            `use at most ${MAX_PODS_PER_NODE} and add nodes for more pods`,
        );
    }
    const args = Object.entries(k.apiServerExtraArgs);
    const chars = args.reduce((n, [name, value]) => n + name.length + value.length, 0);
    if (chars > LIMITS.apiServerArgsChars) {
        add(`${P}.kubernetes.apiServerExtraArgs`, `holds ${chars} characters of flag names and values, more than ${LIMITS.apiServerArgsChars}`, "put long settings in a file on the hosts (e.g. --authentication-config) and name the file");
    }
    for (const [name] of args) {
        const bad = flagNameProblem(name, "kube-apiserver");
        if (bad) add(joinPath([P, "kubernetes", "apiServerExtraArgs", name]), bad.message, bad.fix);
    }
    const nodes = d.controlPlanes + d.workers;
    if (nodes * k.maxPodsPerNode > MAX_PODS && d.workers <= MAX_NODES) {
        warn(`${P}.workers`, `${nodes} nodes x ${k.maxPodsPerNode} pods allow more than the ${MAX_PODS} pods a cluster is tested for`, "plan for fewer pods or split the workload");
    }
}

function checkCounts(cfg: ClusterConfig, d: Derived, add: Add, warn: Add): void {
    const roles = [
        ["controlPlane", cfg.controlPlane.count, cfg.controlPlane.hosts.length],
        ["workers", cfg.workers.count, cfg.workers.hosts.length],
    ] as const;
    for (const [role, count, hostCount] of roles) {
        if (d.onprem && count !== undefined && count !== hostCount) {
            add(`${P}.${role}.count`, `${count} does not match the ${plural(hostCount, "host")} in cluster.${role}.hosts`, `remove count: on-prem it is the number of hosts`);
        }
        if (!d.onprem && hostCount > 0) {
            add(`${P}.${role}.hosts`, `hosts are only for platform onprem (got ${plural(hostCount, "host")} on ${cfg.platform})`, `remove them and set cluster.${role}.count`);
        }
    }
    const cpPath = d.onprem ? `${P}.controlPlane.hosts` : `${P}.controlPlane.count`;
    const wPath = d.onprem ? `${P}.workers.hosts` : `${P}.workers.count`;
    if (d.managed) {
        // the provider runs the control plane
    } else if (d.controlPlanes < 1) {
        add(cpPath, `a cluster needs at least one control plane (got ${d.controlPlanes})`, d.onprem ? "list the control plane hosts (three for profile ha)" : "set a count of 1, 3 or 5");
    } else if (cfg.profile === "ha" && d.controlPlanes < 3) {
        add(cpPath, `profile ha needs at least 3 control planes to survive losing one (got ${d.controlPlanes})`, "use 3 or 5 control planes, or profile dev");
    } else if (cfg.profile === "learning" && d.controlPlanes !== 1) {
        add(cpPath, `profile learning runs a single control plane (got ${d.controlPlanes})`, "use one control plane, or profile dev or ha");
    }
    if (d.workers < 0 || d.workers > MAX_NODES) {
        add(wPath, `${d.workers} workers is outside 0–${MAX_NODES}, the node count Kubernetes is tested for`, "split the workload over several clusters");
    } else if (d.workers === 0 && cfg.profile !== "learning") {
        warn(wPath, "no workers: control planes are tainted NoSchedule, so workloads will not run", "add workers, or use profile learning");
    }
}

/** Returns whether the member count itself is usable (so zone checks can say something new). */
function checkEtcd(cfg: ClusterConfig, d: Derived, add: Add, warn: Add): boolean {
    const e = cfg.etcd;
    const stacked = e.topology === "stacked";
    if (stacked && e.hosts.length > 0) {
        add(`${P}.etcd.hosts`, `hosts are only used with topology external (got ${plural(e.hosts.length, "host")} with topology stacked)`, "remove them, or set cluster.etcd.topology: external");
    }
    if (stacked && e.count !== undefined) {
        add(`${P}.etcd.count`, `with topology stacked every control plane runs a member, so count is not used (got ${e.count})`, "remove cluster.etcd.count, or set cluster.etcd.topology: external");
    }
    if (!stacked && d.onprem && e.count !== undefined && e.count !== e.hosts.length) {
        add(`${P}.etcd.count`, `${e.count} does not match the ${plural(e.hosts.length, "host")} in cluster.etcd.hosts`, "remove count: on-prem it is the number of hosts");
    }
    const path = stacked ? (d.onprem ? `${P}.controlPlane.hosts` : `${P}.controlPlane.count`) : d.onprem ? `${P}.etcd.hosts` : `${P}.etcd.count`;
    const n = d.etcdMembers;
    const what = stacked ? `stacked etcd runs a member on each control plane, so ${plural(n, "control plane")} make` : `external etcd with ${plural(n, "member")} makes`;
    if (n === 0) {
        if (!stacked) add(path, "external etcd needs members (got 0)", d.onprem ? "list 3 or 5 etcd hosts, or use topology stacked" : "set a count of 3 or 5");
    } else if (n > 7) {
        add(path, `${what} ${n} etcd members, above the maximum of 7 (every write waits for ${quorum(n)} of them)`, stacked ? "use at most 7 control planes, or external etcd" : "use 5 or 7 members");
    } else if (n % 2 === 0) {
        add(path, `${what} an even etcd cluster of ${n}, which tolerates ${plural(memberTolerance(n), "failed member")} like ${n - 1} would`, stacked ? `use ${n - 1} or ${n + 1} control planes, or external etcd` : `use ${n - 1} or ${n + 1} members`);
    } else if (n === 1 && cfg.profile === "ha") {
        add(path, "a single etcd member is a single point of failure in profile ha", "use 3 or 5 members");
    } else if (n > 5) {
        warn(path, `${n} etcd members: every write waits for ${quorum(n)} acknowledgements`, "5 members tolerate 2 failures and are usually enough");
    }
    const countOk = n > 0 && n <= 7 && n % 2 === 1;
    if (e.electionTimeoutMs < 5 * e.heartbeatIntervalMs) {
        add(`${P}.etcd.electionTimeoutMs`, `${e.electionTimeoutMs} is less than 5x the heartbeat of ${e.heartbeatIntervalMs} ms, so followers call elections on a slow heartbeat`, `use at least ${5 * e.heartbeatIntervalMs}, e.g. ${10 * e.heartbeatIntervalMs}`);
    }
    return countOk;
}

/** The snapshot timer's schedule: systemd's calendar grammar, and a schedule that repeats. */
function checkBackup(cfg: ClusterConfig, d: Derived, add: Add): void {
    if (d.managed) return;
    const path = `${P}.etcd.backup.onCalendar`;
    const when = cfg.etcd.backup.onCalendar;
    const parsed = parseCalendar(when);
    if (!parsed.ok) {
        const cron = fromCron(when);
        if (cron || /^(\S+\s+){4}\S+$/.test(when.trim())) {
            add(path, `${show(when)} is cron syntax, which systemd's OnCalendar refuses, so the backup timer would never load`, cron ? `write it as a systemd calendar event: ${cron}` : "write a systemd calendar event instead, e.g. *:0/15 (every 15 minutes), hourly or *-*-* 02:00");
        } else {
            add(path, `${show(when)} is not a systemd calendar event (${parsed.reason}), so the backup timer would never load`, "write e.g. *:0/15 (every 15 minutes), hourly or Mon..Fri 02:00; `systemd-analyze calendar` checks one");
        }
        return;
    }
    const why = notRepeating(parsed.spec);
    if (why) add(path, `${show(when)} ${why}`, "use a repeating event, e.g. *-*-* 02:00 (daily at 02:00) or *:0/15 (every 15 minutes)");
}

function checkNetwork(cfg: ClusterConfig, d: Derived, add: Add): void {
    const nets = [
        [`${P}.network.nodeCidr`, cfg.network.nodeCidr],
        [`${P}.kubernetes.podSubnet`, cfg.kubernetes.podSubnet],
        [`${P}.kubernetes.serviceSubnet`, cfg.kubernetes.serviceSubnet],
    ] as const;
    for (const [path, cidr] of nets) {
        if (hasHostBits(cidr)) add(path, `${cidr} has host bits set`, `use ${networkOf(cidr)}`);
        const special = SPECIAL_RANGES.find(([range]) => overlaps(range, cidr));
        if (special) add(path, `${cidr} overlaps ${special[0]} (${special[1]}), which no node, pod or service may use`, "use private ranges, e.g. nodes 10.0.0.0/16, pods 10.244.0.0/16, services 10.96.0.0/12");
    }
    for (let i = 0; i < nets.length; i++) {
        for (let j = i + 1; j < nets.length; j++) {
            if (overlaps(nets[i][1], nets[j][1])) {
                add(nets[j][0], `${nets[j][1]} overlaps ${nets[i][0]} ${nets[i][1]}`, "choose ranges that do not overlap, e.g. nodes 10.0.0.0/16, pods 10.244.0.0/16, services 10.96.0.0/12");
            }
        }
    }
    const svc = parseCidr(cfg.kubernetes.serviceSubnet);
    if (svc.prefix < 12) {
        add(`${P}.kubernetes.serviceSubnet`, `${cfg.kubernetes.serviceSubnet} is larger than the /12 kube-apiserver accepts`, "use a /12 or smaller, e.g. 10.96.0.0/12");
    } else if (cidrSize(cfg.kubernetes.serviceSubnet) <= DNS_SERVICE_INDEX) {
        add(
            `${P}.kubernetes.serviceSubnet`,
            `${cfg.kubernetes.serviceSubnet} holds ${cidrSize(cfg.kubernetes.serviceSubnet)} addresses, but kubeadm gives the cluster DNS service address number ${DNS_SERVICE_INDEX} of the range`,
            "use a /28 or larger, e.g. 10.96.0.0/12",
        );
    }
    // kube-controller-manager gives every node a /24 of the pod subnet.
    const pod = parseCidr(cfg.kubernetes.podSubnet);
    const nodes = d.controlPlanes + d.workers;
    if (pod.prefix > 24) {
        add(`${P}.kubernetes.podSubnet`, `${cfg.kubernetes.podSubnet} is smaller than the /24 each node takes`, "use a /16, e.g. 10.244.0.0/16");
    } else if (2 ** (24 - pod.prefix) < nodes) {
        add(`${P}.kubernetes.podSubnet`, `${cfg.kubernetes.podSubnet} holds ${2 ** (24 - pod.prefix)} node ranges (/24 each) for ${nodes} nodes`, `use a prefix of /${24 - Math.ceil(Math.log2(nodes))} or shorter`);
    }
    if (d.onprem && cidrSize(cfg.network.nodeCidr) < 4) {
        add(`${P}.network.nodeCidr`, `${cfg.network.nodeCidr} is too small for a cluster`, "use the subnet your hosts are in, e.g. 10.0.0.0/24");
    }
}

function checkHosts(cfg: ClusterConfig, add: Add): void {
    const names = new Map<string, string>();
    const addresses = new Map<string, string>();
    for (const { path, host } of listed(cfg)) {
        const prevName = names.get(host.name);
        if (prevName) add(`${path}.name`, `${show(host.name)} is used twice (also ${prevName})`, "give every host a unique name");
        else names.set(host.name, path);
        const prevAddr = addresses.get(host.address);
        if (prevAddr) add(`${path}.address`, `${host.address} is used twice (also ${prevAddr})`, "give every host its own address");
        else addresses.set(host.address, path);
        if (!contains(cfg.network.nodeCidr, host.address)) {
            add(`${path}.address`, `${host.address} is outside cluster.network.nodeCidr ${cfg.network.nodeCidr}`, "correct the address, or set network.nodeCidr to the hosts' subnet");
        } else if (isReserved(cfg.network.nodeCidr, host.address)) {
            add(`${path}.address`, `${host.address} is the network or broadcast address of ${cfg.network.nodeCidr}`, "use the host's real address");
        }
    }
}

function checkEndpoint(cfg: ClusterConfig, d: Derived, add: Add): void {
    const e = cfg.endpoint;
    const kind = d.endpointKind;
    const path = `${P}.endpoint`;
    if (kind === "vip" && !d.onprem) {
        add(`${path}.kind`, `a keepalived VIP cannot move between cloud VMs without the cloud's API (got "vip" on ${cfg.platform})`, "use loadBalancer");
    }
    if (kind === "loadBalancer" && d.onprem) {
        add(`${path}.kind`, `there is no cloud load balancer on-prem (got "loadBalancer")`, "use vip (HAProxy + keepalived on two LB hosts) or external (your own load balancer)");
    }
    if (kind === "direct" && cfg.profile === "ha") {
        add(`${path}.kind`, `profile ha needs a highly available endpoint; direct points at one control plane`, d.onprem ? "use vip or external" : "use loadBalancer");
    }
    if (e.port !== 6443) {
        // Control planes send the endpoint name to themselves (127.0.0.1, no hairpin), where the API server listens on 6443.
        add(`${path}.port`, `${e.port} is not the API servers' port 6443, which control planes reach on themselves through the endpoint name`, "leave cluster.endpoint.port at 6443");
    }
    if (kind === "vip") {
        const k = e.keepalived;
        const advert = `${path}.keepalived.advertIntervalSec`;
        if (k.vrrpVersion === 2 && !Number.isInteger(k.advertIntervalSec)) {
            add(advert, `VRRPv2 adverts are whole seconds (got ${k.advertIntervalSec})`, "use 1 or more, or set cluster.endpoint.keepalived.vrrpVersion: 3 for sub-second adverts");
        }
        if (k.vrrpVersion === 3 && (k.advertIntervalSec > 40.95 || Math.abs(k.advertIntervalSec * 100 - Math.round(k.advertIntervalSec * 100)) > 1e-9)) {
            add(advert, `VRRPv3 adverts are 0.01 to 40.95 s in steps of 0.01 s (got ${k.advertIntervalSec})`, "use e.g. 0.2 or 0.5");
        }
        const minLb = cfg.profile === "ha" ? 2 : 1;
        if (e.lbHosts.length < minLb) {
            add(`${path}.lbHosts`, `kind vip needs ${minLb === 2 ? "two LB hosts to fail over between" : "an LB host"} (got ${e.lbHosts.length})`, "list two hosts that will run HAProxy + keepalived");
        }
        if (!e.vip) {
            add(`${path}.vip`, "kind vip needs the virtual IP (got nothing)", `set a free address in cluster.network.nodeCidr ${cfg.network.nodeCidr}`);
        } else if (!contains(cfg.network.nodeCidr, e.vip)) {
            add(`${path}.vip`, `${e.vip} is outside the LB hosts' subnet cluster.network.nodeCidr ${cfg.network.nodeCidr}`, `pick a free address in ${cfg.network.nodeCidr}`);
        } else if (isReserved(cfg.network.nodeCidr, e.vip)) {
            add(`${path}.vip`, `${e.vip} is the network or broadcast address of ${cfg.network.nodeCidr}`, "pick a free host address");
        } else {
            const owner = listed(cfg).find((l) => l.host.address === e.vip);
            if (owner) add(`${path}.vip`, `${e.vip} is the address of host ${owner.host.name} (${owner.path})`, "pick an address no host uses");
        }
    } else {
        if (e.lbHosts.length > 0) {
            add(`${path}.lbHosts`, `LB hosts are only used with kind vip (got ${plural(e.lbHosts.length, "host")} with kind ${kind})`, "remove them, or set cluster.endpoint.kind: vip");
        }
        if (e.vip) add(`${path}.vip`, `a VIP is only used with kind vip (got ${e.vip} with kind ${kind})`, "remove it, or set cluster.endpoint.kind: vip");
    }
    if (kind === "external") {
        if (!e.address) {
            add(`${path}.address`, "kind external needs the address of your load balancer (got nothing)", "set its IPv4 address or DNS name");
        } else if (!isIPv4(e.address) && !DNS_NAME.test(e.address)) {
            add(`${path}.address`, `${show(e.address)} is neither an IPv4 address nor a DNS name`, "set the load balancer's IPv4 address or DNS name");
        }
    } else if (e.address) {
        add(`${path}.address`, `an address is only used with kind external (got ${show(e.address)} with kind ${kind})`, "remove it, or set cluster.endpoint.kind: external");
    }
    e.extraSANs.forEach((san, i) => {
        if (!isAddressOrName(san)) {
            add(`${path}.extraSANs[${i}]`, `${show(san)} is neither an IPv4 address nor a DNS name`, "use a name like api.example.com or an address like 10.0.0.5");
        }
    });
}

function zonesOf(hosts: readonly HostConfig[]): string[] {
    return hosts.map((h) => h.zone ?? DEFAULT_ZONE);
}

/**
 * On-prem hosts that must be spread over zones but name none: reported as such, instead of as
 * the loss of one zone called "default" that every one of them would share.
 */
function missingZones(cfg: ClusterConfig, d: Derived, add: Add): boolean {
    const lists: [string, readonly HostConfig[]][] = [
        ...(d.etcdTopology === "external" ? [[`${P}.etcd.hosts`, cfg.etcd.hosts] as [string, readonly HostConfig[]]] : []),
        [`${P}.controlPlane.hosts`, cfg.controlPlane.hosts],
        ...(d.endpointKind === "vip" ? [[`${P}.endpoint.lbHosts`, cfg.endpoint.lbHosts] as [string, readonly HostConfig[]]] : []),
    ];
    let missing = false;
    for (const [path, hosts] of lists) {
        const names = hosts.filter((h) => h.zone === undefined).map((h) => h.name);
        if (names.length === 0) continue;
        missing = true;
        const who = names.length === 1 ? `${names[0]} has` : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} have`;
        add(
            path,
            `${who} no zone (got nothing), so losing a zone cannot be checked against cluster.tolerance.zones ${d.zoneTolerance}`,
            "set zone on every host (its rack, room or site), or set cluster.tolerance.zones: 0",
        );
    }
    return missing;
}

function checkZones(cfg: ClusterConfig, d: Derived, add: Add): void {
    if (d.managed || d.controlPlanes === 0 || d.etcdMembers === 0) return;
    if (d.onprem && d.zoneTolerance > 0 && missingZones(cfg, d, add)) return;
    // Bad zone lists are reported by the cloud rules; placement over them would only repeat it.
    if (!d.onprem && (!cfg.cloud || cfg.cloud.zones.length === 0 || new Set(cfg.cloud.zones).size !== cfg.cloud.zones.length)) return;
    // On clouds machines are placed round-robin over the zones; on-prem the hosts say where they are.
    const cpZones = d.onprem ? zonesOf(cfg.controlPlane.hosts) : roundRobin(d.controlPlanes, cfg.cloud!.zones);
    const etcdZones = d.etcdTopology === "stacked" ? cpZones : d.onprem ? zonesOf(cfg.etcd.hosts) : roundRobin(d.etcdMembers, cfg.cloud!.zones);
    const groups: ZoneGroup[] = [
        { what: "etcd members", zones: etcdZones, mustRemain: quorum(d.etcdMembers) },
        { what: "control planes", zones: cpZones, mustRemain: 1 },
    ];
    if (d.endpointKind === "vip" && cfg.endpoint.lbHosts.length > 0) {
        groups.push({ what: "LB hosts", zones: zonesOf(cfg.endpoint.lbHosts), mustRemain: 1 });
    }
    const loss = zoneLoss(groups);
    if (loss.tolerated < d.zoneTolerance && loss.breaking) {
        const b = loss.breaking;
        const lostZones = b.zones.join(", ");
        const consequence = b.group.what === "etcd members" ? "etcd quorum" : `every ${b.group.what.replace(/s$/, "")}`;
        add(
            `${P}.tolerance.zones`,
            `losing zone ${lostZones} (${b.lost} of ${b.group.zones.length} ${b.group.what}) would lose ${consequence}; this placement tolerates ${plural(loss.tolerated, "zone failure")} (wanted ${d.zoneTolerance})`,
            d.onprem
                ? "spread hosts so no zone holds a majority of etcd members (e.g. one control plane in each of 3 zones) and the LB hosts sit in different zones, or set cluster.tolerance.zones: 0 to accept it"
                : "list at least 3 zones in cluster.cloud.zones, or set cluster.tolerance.zones: 0 to accept it",
        );
    }
}

function checkSsh(cfg: ClusterConfig, d: Derived, ctx: ValidationContext, add: Add): void {
    if (!d.onprem) return;
    const ssh = cfg.ssh;
    if (!ssh) {
        add(`${P}.ssh`, "on-prem hosts are reached over SSH, but there are no ssh settings (got nothing)", "set cluster.ssh.user and either cluster.ssh.privateKeySecret or cluster.ssh.agent: true");
        return;
    }
    if (!ssh.privateKeySecret && !ssh.agent) {
        add(`${P}.ssh`, "no SSH key source (neither privateKeySecret nor agent)", "set cluster.ssh.privateKeySecret to a secret config key holding the key, or cluster.ssh.agent: true");
    } else if (ssh.privateKeySecret && ssh.agent) {
        add(`${P}.ssh`, "both privateKeySecret and agent are set", "choose one key source");
    } else if (ssh.privateKeySecret && ctx.configKey) {
        const key = ssh.privateKeySecret;
        const state = ctx.configKey(key);
        if (state === "unset") {
            add(`${P}.ssh.privateKeySecret`, `config key hacluster:${key} is not set`, `run: pulumi config set --secret hacluster:${key} < ~/.ssh/id_ed25519`);
        } else if (state === "plain") {
            add(`${P}.ssh.privateKeySecret`, `config key hacluster:${key} holds the SSH key in plain text`, `run: pulumi config set --secret hacluster:${key} < ~/.ssh/id_ed25519`);
        }
    }
}
