/**
 * Bad configs, each with the exact problems a user sees. A case lists every line expected, so a
 * missing or extra message fails the test.
 */
import { strict as assert } from "node:assert";
import { ConfigError, formatProblem, loadSpec, type RawStackConfig } from "../../config";
import { host, merge, seeds, seedsCluster, seedsWith } from "./fixtures";

interface Case {
    readonly name: string;
    readonly config: RawStackConfig;
    readonly errors: readonly string[];
    readonly stack?: string;
    readonly configKey?: (key: string) => "secret" | "plain" | "unset";
}

const seedsHosts = seedsCluster();
const awsCloud = { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] };

/** A valid self-managed cloud cluster (3 control planes over 3 zones, 3 workers) with a patch. */
function cloudCluster(platform: "aws" | "gcp" | "azure", patch: Record<string, any>): RawStackConfig {
    const cloud = platform === "aws" ? awsCloud : platform === "gcp" ? { region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "hacluster-example" } : { region: "westeurope", zones: ["1", "2", "3"] };
    const base = { name: "c1", network: { nodeCidr: "10.0.0.0/16" }, controlPlane: { count: 3 }, workers: { count: 3 }, cloud };
    return { profile: "ha", platform, cluster: merge(base, patch) };
}
const threeEtcd = [host("etcd1", "211.183.3.21", "rack-a"), host("etcd2", "211.183.3.22", "rack-b"), host("etcd3", "211.183.3.23", "rack-c")];

const cases: Case[] = [
    // --- structure (zod) ---
    {
        name: "unknown key",
        config: seedsWith({ wrokers: { hosts: [] } }),
        errors: ["cluster.wrokers: is not a known setting. Fix: did you mean cluster.workers? Otherwise remove it"],
    },
    {
        name: "unknown profile",
        config: seeds({ profile: "prod" }),
        errors: ['profile: must be one of learning, dev, ha (got "prod"). Fix: use one of: learning, dev, ha'],
    },
    {
        name: "unknown platform",
        config: seeds({ platform: "openstack" }),
        errors: ['platform: must be one of onprem, aws, gcp, azure (got "openstack"). Fix: use one of: onprem, aws, gcp, azure'],
    },
    {
        name: "version as a number",
        config: seedsWith({ kubernetes: { version: 1.34 } }),
        errors: ['cluster.kubernetes.version: must be quoted text, but YAML read the unquoted 1.34 as a number, which drops trailing zeros (1.30 reads as 1.3). Fix: put the full release in quotes, e.g. version: "1.34.2"'],
    },
    {
        name: "host address not an IP",
        config: seedsWith({ workers: { hosts: [host("worker1", "211.183.3.300")] } }),
        errors: ['cluster.workers.hosts[0].address: must be an IPv4 address (got "211.183.3.300"). Fix: write it as four dotted numbers, e.g. 10.0.0.10'],
    },
    {
        name: "host name not a DNS label",
        config: seedsWith({ workers: { hosts: [host("Worker_1", "211.183.3.110")] } }),
        errors: ['cluster.workers.hosts[0].name: a host name must be a DNS label (got "Worker_1"). Fix: use lowercase letters, digits and \'-\', at most 63 characters, starting and ending with a letter or digit'],
    },
    {
        name: "pod subnet not a CIDR",
        config: seedsWith({ kubernetes: { podSubnet: "10.244.0.0" } }),
        errors: ['cluster.kubernetes.podSubnet: must be an IPv4 CIDR (got "10.244.0.0"). Fix: write it as address/prefix, e.g. 10.244.0.0/16'],
    },
    {
        name: "virtual router id out of range",
        config: seedsWith({ endpoint: { virtualRouterId: 300 } }),
        errors: ["cluster.endpoint.virtualRouterId: must be a whole number from 1 to 255 (got 300). Fix: use a number from 1 to 255 that no other VRRP group on the segment uses"],
    },
    {
        name: "endpoint port other than the API servers'",
        config: seedsWith({ endpoint: { port: 8443 } }),
        errors: ["cluster.endpoint.port: 8443 is not the API servers' port 6443, which control planes reach on themselves through the endpoint name. Fix: leave cluster.endpoint.port at 6443"],
    },
    {
        name: "VRRPv2 with a sub-second advert interval",
        config: seedsWith({ endpoint: { keepalived: { advertIntervalSec: 0.2 } } }),
        errors: ["cluster.endpoint.keepalived.advertIntervalSec: VRRPv2 adverts are whole seconds (got 0.2). Fix: use 1 or more, or set cluster.endpoint.keepalived.vrrpVersion: 3 for sub-second adverts"],
    },
    {
        name: "VRRPv3 advert interval not in centiseconds",
        config: seedsWith({ endpoint: { keepalived: { vrrpVersion: 3, advertIntervalSec: 0.125 } } }),
        errors: ["cluster.endpoint.keepalived.advertIntervalSec: VRRPv3 adverts are 0.01 to 40.95 s in steps of 0.01 s (got 0.125). Fix: use e.g. 0.2 or 0.5"],
    },
    {
        name: "unknown VRRP version",
        config: seedsWith({ endpoint: { keepalived: { vrrpVersion: 4 } } }),
        errors: ["cluster.endpoint.keepalived.vrrpVersion: must be 2 or 3 (got 4). Fix: use 2 (authenticated, 1 s adverts) or 3 (sub-second adverts)"],
    },
    {
        name: "AWS cluster name too long for the auto-named load balancer",
        config: cloudCluster("aws", { name: "payments-eu-west-prod" }),
        errors: ['cluster.name: "payments-eu-west-prod" has 21 characters; on AWS the API load balancer is named "<name>-api-nlb-" plus 7 random characters and AWS allows 32. Fix: set cluster.name to at most 16 characters'],
    },
    {
        name: "AMI id malformed",
        config: cloudCluster("aws", { cloud: { image: "ubuntu-24.04" } }),
        errors: ['cluster.cloud.image: "ubuntu-24.04" is not an AMI id. Fix: use an id like ami-0123456789abcdef0 of eu-west-1'],
    },
    {
        name: "port out of range",
        config: seedsWith({ endpoint: { port: 70000 } }),
        errors: ["cluster.endpoint.port: must be a whole number from 1 to 65535 (got 70000). Fix: use a TCP port from 1 to 65535"],
    },
    {
        name: "ssh without user",
        config: seedsWith({ ssh: { user: undefined } }),
        errors: ["cluster.ssh.user: is required (got nothing). Fix: use the login user of your hosts: letters, digits, '_', '.' and '-', starting with a letter or '_', optionally @domain, e.g. ubuntu or john.doe"],
    },
    {
        name: "several structural problems at once",
        config: seedsWith({ kubernetes: { maxPodsPerNode: "many" }, endpoint: { vip: "1.2.3" }, etcd: { topology: "separate" } }),
        errors: [
            'cluster.kubernetes.maxPodsPerNode: must be a whole number (got "many"). Fix: use a number from 10 to 110',
            'cluster.etcd.topology: must be one of stacked, external (got "separate"). Fix: use one of: stacked, external',
            'cluster.endpoint.vip: must be an IPv4 address (got "1.2.3"). Fix: write it as four dotted numbers, e.g. 10.0.0.10',
        ],
    },
    {
        name: "CNI manifest over http",
        config: seedsWith({ kubernetes: { cniManifestUrl: "http://example.com/cni.yaml" } }),
        errors: ['cluster.kubernetes.cniManifestUrl: plain HTTP to "example.com", which is not a private address. Fix: use https, or a mirror on a private address (10/8, 172.16/12, 192.168/16, 100.64/10, or a .internal/.local name)'],
    },
    // --- mirror (air-gapped installs) ---
    {
        name: "mirror package repository over plain HTTP without its key",
        config: seedsWith({ mirror: { packages: { url: "http://10.0.0.5/pkgs/core:/stable:/v{minor}/deb/" } } }),
        errors: ["cluster.mirror.packages.signingKey: is required when the repository is plain HTTP. Fix: paste the repository's ASCII-armored public key: fetching it over HTTP would trust whoever answers"],
    },
    {
        name: "mirror over plain HTTP on a public address",
        config: seedsWith({ mirror: { images: { repository: "registry.example.com:5000", insecure: true }, containerd: { url: "http://mirror.example.com/containerd.tar.gz", sha256: "a".repeat(64) } } }),
        errors: [
            'cluster.mirror.images.insecure: plain HTTP to "registry.example.com:5000", which is not a private address. Fix: serve the registry over TLS (set caCert for a private CA), or keep it on a private address',
            'cluster.mirror.containerd.url: plain HTTP to "mirror.example.com", which is not a private address. Fix: use https, or a mirror on a private address (10/8, 172.16/12, 192.168/16, 100.64/10, or a .internal/.local name)',
        ],
    },
    {
        name: "mirror archive without its sha256",
        config: seedsWith({ mirror: { etcd: { url: "https://mirror.example.com/etcd.tar.gz" }, runc: { url: "https://mirror.example.com/runc", sha256: "ABC" } } }),
        errors: [
            "cluster.mirror.etcd.sha256: is required (got nothing). Fix: give the archive's sha256 (sha256sum FILE)",
            'cluster.mirror.runc.sha256: must be 64 lowercase hex digits (got "ABC"). Fix: copy it from sha256sum FILE',
        ],
    },
    {
        name: "mirror package URL without the final slash",
        config: seedsWith({ mirror: { packages: { url: "https://mirror.example.com/pkgs" } } }),
        errors: ['cluster.mirror.packages.url: must end with / (got "https://mirror.example.com/pkgs"). Fix: apt reads <url>InRelease: end the URL with /'],
    },
    {
        name: "external etcd older than kubeadm accepts",
        config: seedsWith({ etcd: { topology: "external", version: "3.5.16", hosts: [host("e1", "211.183.3.21", "rack-a"), host("e2", "211.183.3.22", "rack-b"), host("e3", "211.183.3.23", "rack-c")] } }),
        errors: ["cluster.etcd.version: 3.5.16 is older than 3.5.24, the oldest external etcd kubeadm accepts. Fix: use 3.7.0"],
    },
    {
        name: "an etcd release for stacked etcd",
        config: seedsWith({ etcd: { version: "3.6.8" } }),
        errors: ['cluster.etcd.version: is set ("3.6.8") but stacked etcd runs the release kubeadm picks (3.7.0 for 1.37). Fix: remove etcd.version, or use topology external'],
    },
    // --- kubernetes ---
    {
        name: "version without patch",
        config: seedsWith({ kubernetes: { version: "1.34" } }),
        errors: ['cluster.kubernetes.version: must be MAJOR.MINOR.PATCH (got "1.34"). Fix: write the full release, e.g. 1.34.2'],
    },
    {
        name: "version too old",
        config: seedsWith({ kubernetes: { version: "1.27.3" } }),
        errors: ["cluster.kubernetes.version: 1.27.3 is outside the supported window 1.36–1.37 (the releases whose kubeadm this project is tested with). Fix: use a release from 1.36 to 1.37"],
    },
    {
        name: "version too new",
        config: seedsWith({ kubernetes: { version: "1.40.0" } }),
        errors: ["cluster.kubernetes.version: 1.40.0 is outside the supported window 1.36–1.37 (the releases whose kubeadm this project is tested with). Fix: use a release from 1.36 to 1.37"],
    },
    {
        name: "too many pods per node",
        config: seedsWith({ kubernetes: { maxPodsPerNode: 250 } }),
        errors: ["cluster.kubernetes.maxPodsPerNode: 250 pods per node is outside 10–110, the range Kubernetes is tested for. Fix: use at most 110 and add nodes for more pods"],
    },
    // --- control planes and etcd ---
    {
        name: "ha with two stacked control planes",
        config: seedsWith({ controlPlane: { hosts: seedsHosts.controlPlane.hosts.slice(0, 2) }, tolerance: { zones: 0 } }),
        errors: [
            "cluster.controlPlane.hosts: profile ha needs at least 3 control planes to survive losing one (got 2). Fix: use 3 or 5 control planes, or profile dev",
            "cluster.controlPlane.hosts: stacked etcd runs a member on each control plane, so 2 control planes make an even etcd cluster of 2, which tolerates 0 failed members like 1 would. Fix: use 1 or 3 control planes, or external etcd",
        ],
    },
    {
        name: "four stacked control planes",
        config: seedsWith({ controlPlane: { hosts: [...seedsHosts.controlPlane.hosts, host("master4", "211.183.3.103", "rack-a")] } }),
        errors: [
            "cluster.controlPlane.hosts: stacked etcd runs a member on each control plane, so 4 control planes make an even etcd cluster of 4, which tolerates 1 failed member like 3 would. Fix: use 3 or 5 control planes, or external etcd",
        ],
    },
    {
        name: "no control planes",
        config: seedsWith({ controlPlane: { hosts: [] } }),
        errors: ["cluster.controlPlane.hosts: a cluster needs at least one control plane (got 0). Fix: list the control plane hosts (three for profile ha)"],
    },
    {
        name: "learning with three control planes",
        config: seedsWith({ endpoint: { kind: "direct", lbHosts: [], vip: undefined } }, { profile: "learning" }),
        errors: ["cluster.controlPlane.hosts: profile learning runs a single control plane (got 3). Fix: use one control plane, or profile dev or ha"],
    },
    {
        name: "control plane count contradicts hosts",
        config: seedsWith({ controlPlane: { count: 5 } }),
        errors: ["cluster.controlPlane.count: 5 does not match the 3 hosts in cluster.controlPlane.hosts. Fix: remove count: on-prem it is the number of hosts"],
    },
    {
        name: "external etcd with an even member count",
        config: seedsWith({ etcd: { topology: "external", hosts: threeEtcd.slice(0, 2) } }),
        errors: ["cluster.etcd.hosts: external etcd with 2 members makes an even etcd cluster of 2, which tolerates 0 failed members like 1 would. Fix: use 1 or 3 members"],
    },
    {
        name: "external etcd with nine members",
        config: seedsWith({
            etcd: {
                topology: "external",
                hosts: Array.from({ length: 9 }, (_, i) => host(`etcd${i + 1}`, `211.183.3.${21 + i}`, ["rack-a", "rack-b", "rack-c"][i % 3])),
            },
        }),
        errors: ["cluster.etcd.hosts: external etcd with 9 members makes 9 etcd members, above the maximum of 7 (every write waits for 5 of them). Fix: use 5 or 7 members"],
    },
    {
        name: "external etcd without hosts",
        config: seedsWith({ etcd: { topology: "external" } }),
        errors: ["cluster.etcd.hosts: external etcd needs members (got 0). Fix: list 3 or 5 etcd hosts, or use topology stacked"],
    },
    {
        name: "single external etcd member in ha",
        config: seedsWith({ etcd: { topology: "external", hosts: threeEtcd.slice(0, 1) } }),
        errors: [
            "cluster.etcd.hosts: a single etcd member is a single point of failure in profile ha. Fix: use 3 or 5 members",
            "cluster.tolerance.zones: losing zone rack-a (1 of 1 etcd members) would lose etcd quorum; this placement tolerates 0 zone failures (wanted 1). Fix: spread hosts so no zone holds a majority of etcd members (e.g. one control plane in each of 3 zones) and the LB hosts sit in different zones, or set cluster.tolerance.zones: 0 to accept it",
        ],
    },
    {
        name: "etcd hosts with stacked topology",
        config: seedsWith({ etcd: { hosts: threeEtcd } }),
        errors: ["cluster.etcd.hosts: hosts are only used with topology external (got 3 hosts with topology stacked). Fix: remove them, or set cluster.etcd.topology: external"],
    },
    {
        name: "etcd count with stacked topology",
        config: seedsWith({ etcd: { count: 3 } }),
        errors: ["cluster.etcd.count: with topology stacked every control plane runs a member, so count is not used (got 3). Fix: remove cluster.etcd.count, or set cluster.etcd.topology: external"],
    },
    {
        name: "election timeout too short for the heartbeat",
        config: seedsWith({ etcd: { heartbeatIntervalMs: 200, electionTimeoutMs: 600 } }),
        errors: ["cluster.etcd.electionTimeoutMs: 600 is less than 5x the heartbeat of 200 ms, so followers call elections on a slow heartbeat. Fix: use at least 1000, e.g. 2000"],
    },
    // --- zones ---
    {
        name: "two control planes in one zone",
        config: seedsWith({
            controlPlane: { hosts: [host("master1", "211.183.3.100", "rack-a"), host("master2", "211.183.3.101", "rack-a"), host("master3", "211.183.3.102", "rack-c")] },
        }),
        errors: [
            "cluster.tolerance.zones: losing zone rack-a (2 of 3 etcd members) would lose etcd quorum; this placement tolerates 0 zone failures (wanted 1). Fix: spread hosts so no zone holds a majority of etcd members (e.g. one control plane in each of 3 zones) and the LB hosts sit in different zones, or set cluster.tolerance.zones: 0 to accept it",
        ],
    },
    {
        name: "hosts without zones in ha",
        config: seedsWith({
            controlPlane: { hosts: [host("master1", "211.183.3.100"), host("master2", "211.183.3.101"), host("master3", "211.183.3.102")] },
            endpoint: { lbHosts: [host("lb-a", "211.183.3.251"), host("lb-b", "211.183.3.252")] },
        }),
        errors: [
            "cluster.controlPlane.hosts: master1, master2 and master3 have no zone (got nothing), so losing a zone cannot be checked against cluster.tolerance.zones 1. Fix: set zone on every host (its rack, room or site), or set cluster.tolerance.zones: 0",
            "cluster.endpoint.lbHosts: lb-a and lb-b have no zone (got nothing), so losing a zone cannot be checked against cluster.tolerance.zones 1. Fix: set zone on every host (its rack, room or site), or set cluster.tolerance.zones: 0",
        ],
    },
    {
        name: "both LB hosts in one zone",
        config: seedsWith({ endpoint: { lbHosts: [host("lb-a", "211.183.3.251", "rack-a"), host("lb-b", "211.183.3.252", "rack-a")] } }),
        errors: [
            "cluster.tolerance.zones: losing zone rack-a (2 of 2 LB hosts) would lose every LB host; this placement tolerates 0 zone failures (wanted 1). Fix: spread hosts so no zone holds a majority of etcd members (e.g. one control plane in each of 3 zones) and the LB hosts sit in different zones, or set cluster.tolerance.zones: 0 to accept it",
        ],
    },
    {
        name: "asking for two zone failures with three zones",
        config: seedsWith({ tolerance: { zones: 2 } }),
        errors: [
            "cluster.tolerance.zones: losing zone rack-a, rack-b (2 of 3 etcd members) would lose etcd quorum; this placement tolerates 1 zone failure (wanted 2). Fix: spread hosts so no zone holds a majority of etcd members (e.g. one control plane in each of 3 zones) and the LB hosts sit in different zones, or set cluster.tolerance.zones: 0 to accept it",
        ],
    },
    // --- networks ---
    {
        name: "pod subnet overlaps service subnet",
        config: seedsWith({ kubernetes: { podSubnet: "10.96.0.0/16" } }),
        errors: ["cluster.kubernetes.serviceSubnet: 10.96.0.0/12 overlaps cluster.kubernetes.podSubnet 10.96.0.0/16. Fix: choose ranges that do not overlap, e.g. nodes 10.0.0.0/16, pods 10.244.0.0/16, services 10.96.0.0/12"],
    },
    {
        name: "node network overlaps pod subnet",
        config: seedsWith({ kubernetes: { podSubnet: "211.183.0.0/16" } }),
        errors: ["cluster.kubernetes.podSubnet: 211.183.0.0/16 overlaps cluster.network.nodeCidr 211.183.3.0/24. Fix: choose ranges that do not overlap, e.g. nodes 10.0.0.0/16, pods 10.244.0.0/16, services 10.96.0.0/12"],
    },
    {
        name: "service subnet larger than /12",
        config: seedsWith({ kubernetes: { serviceSubnet: "172.0.0.0/8" } }),
        errors: ["cluster.kubernetes.serviceSubnet: 172.0.0.0/8 is larger than the /12 kube-apiserver accepts. Fix: use a /12 or smaller, e.g. 10.96.0.0/12"],
    },
    {
        name: "pod subnet with host bits",
        config: seedsWith({ kubernetes: { podSubnet: "10.244.1.0/16" } }),
        errors: ["cluster.kubernetes.podSubnet: 10.244.1.0/16 has host bits set. Fix: use 10.244.0.0/16"],
    },
    {
        name: "pod subnet too small for the nodes",
        config: seedsWith({ kubernetes: { podSubnet: "10.244.0.0/22" } }),
        errors: ["cluster.kubernetes.podSubnet: 10.244.0.0/22 holds 4 node ranges (/24 each) for 5 nodes. Fix: use a prefix of /21 or shorter"],
    },
    {
        name: "host outside the node network",
        config: seedsWith({ workers: { hosts: [host("worker1", "192.168.1.10")] } }),
        errors: ["cluster.workers.hosts[0].address: 192.168.1.10 is outside cluster.network.nodeCidr 211.183.3.0/24. Fix: correct the address, or set network.nodeCidr to the hosts' subnet"],
    },
    {
        name: "host on the broadcast address",
        config: seedsWith({ workers: { hosts: [host("worker1", "211.183.3.255")] } }),
        errors: ["cluster.workers.hosts[0].address: 211.183.3.255 is the network or broadcast address of 211.183.3.0/24. Fix: use the host's real address"],
    },
    // --- duplicates ---
    {
        name: "duplicate host name across roles",
        config: seedsWith({ workers: { hosts: [host("master1", "211.183.3.110")] } }),
        errors: ['cluster.workers.hosts[0].name: "master1" is used twice (also cluster.controlPlane.hosts[0]). Fix: give every host a unique name'],
    },
    {
        name: "duplicate address",
        config: seedsWith({ workers: { hosts: [host("worker1", "211.183.3.100")] } }),
        errors: ["cluster.workers.hosts[0].address: 211.183.3.100 is used twice (also cluster.controlPlane.hosts[0]). Fix: give every host its own address"],
    },
    // --- endpoint ---
    {
        name: "VIP outside the LB subnet",
        config: seedsWith({ endpoint: { vip: "10.0.0.250" } }),
        errors: ["cluster.endpoint.vip: 10.0.0.250 is outside the LB hosts' subnet cluster.network.nodeCidr 211.183.3.0/24. Fix: pick a free address in 211.183.3.0/24"],
    },
    {
        name: "VIP equal to an LB host's address",
        config: seedsWith({ endpoint: { vip: "211.183.3.251" } }),
        errors: ["cluster.endpoint.vip: 211.183.3.251 is the address of host lb-a (cluster.endpoint.lbHosts[0]). Fix: pick an address no host uses"],
    },
    {
        name: "VIP equal to a worker's address",
        config: seedsWith({ endpoint: { vip: "211.183.3.110" } }),
        errors: ["cluster.endpoint.vip: 211.183.3.110 is the address of host worker1 (cluster.workers.hosts[0]). Fix: pick an address no host uses"],
    },
    {
        name: "VIP missing",
        config: seedsWith({ endpoint: { vip: undefined } }),
        errors: ["cluster.endpoint.vip: kind vip needs the virtual IP (got nothing). Fix: set a free address in cluster.network.nodeCidr 211.183.3.0/24"],
    },
    {
        name: "one LB host in ha",
        config: seedsWith({ endpoint: { lbHosts: [host("lb-a", "211.183.3.251", "rack-a")] } }),
        errors: [
            "cluster.endpoint.lbHosts: kind vip needs two LB hosts to fail over between (got 1). Fix: list two hosts that will run HAProxy + keepalived",
            "cluster.tolerance.zones: losing zone rack-a (1 of 1 LB hosts) would lose every LB host; this placement tolerates 0 zone failures (wanted 1). Fix: spread hosts so no zone holds a majority of etcd members (e.g. one control plane in each of 3 zones) and the LB hosts sit in different zones, or set cluster.tolerance.zones: 0 to accept it",
        ],
    },
    {
        name: "cloud load balancer on-prem",
        config: seedsWith({ endpoint: { kind: "loadBalancer", vip: undefined, lbHosts: [] } }),
        errors: ['cluster.endpoint.kind: there is no cloud load balancer on-prem (got "loadBalancer"). Fix: use vip (HAProxy + keepalived on two LB hosts) or external (your own load balancer)'],
    },
    {
        name: "direct endpoint in ha",
        config: seedsWith({ endpoint: { kind: "direct", vip: undefined, lbHosts: [] } }),
        errors: ["cluster.endpoint.kind: profile ha needs a highly available endpoint; direct points at one control plane. Fix: use vip or external"],
    },
    {
        name: "LB hosts with an external endpoint",
        config: seedsWith({ endpoint: { kind: "external", vip: undefined, address: "lb.example.com" } }),
        errors: ["cluster.endpoint.lbHosts: LB hosts are only used with kind vip (got 2 hosts with kind external). Fix: remove them, or set cluster.endpoint.kind: vip"],
    },
    {
        name: "external endpoint without address",
        config: seedsWith({ endpoint: { kind: "external", vip: undefined, lbHosts: [] } }),
        errors: ["cluster.endpoint.address: kind external needs the address of your load balancer (got nothing). Fix: set its IPv4 address or DNS name"],
    },
    {
        name: "bad extra SAN",
        config: seedsWith({ endpoint: { extraSANs: ["api.example.com", "not valid!"] } }),
        errors: ['cluster.endpoint.extraSANs[1]: "not valid!" is neither an IPv4 address nor a DNS name. Fix: use a name like api.example.com or an address like 10.0.0.5'],
    },
    {
        name: "VIP on a cloud",
        config: seedsWith({ controlPlane: { hosts: [], count: 3 }, workers: { hosts: [] }, endpoint: { lbHosts: [] }, ssh: undefined, cloud: awsCloud }, { platform: "aws" }),
        errors: [
            'cluster.endpoint.kind: a keepalived VIP cannot move between cloud VMs without the cloud\'s API (got "vip" on aws). Fix: use loadBalancer',
            "cluster.endpoint.lbHosts: kind vip needs two LB hosts to fail over between (got 0). Fix: list two hosts that will run HAProxy + keepalived",
        ],
    },
    {
        name: "hosts listed on a cloud, ssh settings and no cloud section",
        config: seedsWith({ endpoint: { kind: "loadBalancer", vip: undefined, lbHosts: [] } }, { platform: "gcp" }),
        errors: [
            "cluster.ssh: ssh settings are for on-prem hosts (got them on gcp). Fix: remove cluster.ssh; for break-glass access set cluster.cloud.sshPublicKey and sshAllowedCidrs",
            "cluster.cloud: platform gcp needs cloud settings (got nothing). Fix: set cluster.cloud.region and cluster.cloud.zones",
            "cluster.controlPlane.hosts: hosts are only for platform onprem (got 3 hosts on gcp). Fix: remove them and set cluster.controlPlane.count",
            "cluster.workers.hosts: hosts are only for platform onprem (got 2 hosts on gcp). Fix: remove them and set cluster.workers.count",
        ],
    },
    {
        name: "too many workers",
        config: cloudCluster("aws", { workers: { count: 6000 } }),
        errors: [
            "cluster.workers.count: 6000 workers is outside 0–5000, the node count Kubernetes is tested for. Fix: split the workload over several clusters",
            "cluster.kubernetes.podSubnet: 10.244.0.0/16 holds 256 node ranges (/24 each) for 6003 nodes. Fix: use a prefix of /11 or shorter",
        ],
    },
    {
        name: "ha on a cloud with two zones",
        config: cloudCluster("aws", { cloud: { zones: ["eu-west-1a", "eu-west-1b"] } }),
        errors: [
            "cluster.cloud.zones: profile ha spreads over at least 3 zones (got 2). Fix: list 3 zones of eu-west-1, or use profile dev",
            "cluster.tolerance.zones: losing zone eu-west-1a (2 of 3 etcd members) would lose etcd quorum; this placement tolerates 0 zone failures (wanted 1). Fix: list at least 3 zones in cluster.cloud.zones, or set cluster.tolerance.zones: 0 to accept it",
        ],
    },
    {
        name: "zones of another region, and a zone twice",
        config: cloudCluster("aws", { cloud: { zones: ["us-east-1a", "eu-west-1b", "eu-west-1b"] } }),
        errors: ['cluster.cloud.zones: a zone is listed twice (got ["us-east-1a","eu-west-1b","eu-west-1b"]). Fix: list each zone once', 'cluster.cloud.zones: zones ["us-east-1a"] are not zones of region eu-west-1. Fix: name each zone as the region and one letter, e.g. eu-west-1a'],
    },
    {
        name: "Azure zone names",
        config: cloudCluster("azure", { cloud: { region: "westeurope", zones: ["westeurope-1", "2", "3"] } }),
        errors: ['cluster.cloud.zones: Azure zones are "1", "2" and "3" (got ["westeurope-1"]). Fix: use "1", "2", "3"'],
    },
    {
        name: "GCP without a project",
        config: cloudCluster("gcp", { cloud: { project: undefined } }),
        errors: ["cluster.cloud.project: platform gcp needs the project id (got nothing). Fix: set cluster.cloud.project"],
    },
    {
        name: "worker count and pools together, a pool name twice, a pool zone outside the cluster's",
        config: cloudCluster("aws", { workers: { count: 3, pools: [{ name: "general", count: 2 }, { name: "general", count: 1, zones: ["eu-west-1z"] }] } }),
        errors: [
            "cluster.workers.count: count and pools are both set (got count 3). Fix: remove count and size each pool",
            'cluster.workers.pools[1].name: "general" is used twice. Fix: give every pool a unique name',
            'cluster.workers.pools[1].zones: ["eu-west-1z"] are not in cluster.cloud.zones. Fix: use zones from cluster.cloud.zones',
        ],
    },
    {
        name: "existing AWS network with one subnet for three zones",
        config: cloudCluster("aws", { cloud: { existingNetwork: { networkId: "vpc-123", subnets: [{ id: "subnet-1", cidr: "10.0.0.0/20", zone: "eu-west-1a" }] } } }),
        errors: ["cluster.cloud.existingNetwork.subnets: AWS subnets are zonal: 1 subnets for 3 zones. Fix: list one subnet per zone, with its zone"],
    },
    {
        name: "machine types on-prem",
        config: seedsWith({ workers: { instanceType: "m6i.large" } }),
        errors: ['cluster.workers.instanceType: machine types are only for clouds (got "m6i.large" on onprem). Fix: remove it: on-prem hosts are the machines you listed'],
    },
    {
        name: "managed on-prem with kubeadm settings",
        config: seeds({ family: "managed" }),
        errors: [
            "family: managed clusters run on aws (EKS), gcp (GKE) or azure (AKS), not on-prem. Fix: set hacluster:platform to aws, gcp or azure, or use family self-managed",
            "cluster.endpoint: is a self-managed (kubeadm) setting; the provider runs the API endpoint in family managed. Fix: remove cluster.endpoint",
            "cluster.controlPlane: is a self-managed (kubeadm) setting; the provider runs the control plane in family managed. Fix: remove cluster.controlPlane",
            "cluster.workers.hosts: managed node pools are created, not listed. Fix: remove hosts and set cluster.workers.count or pools",
        ],
    },
    {
        name: "managed with etcd and keepalived settings",
        config: { profile: "ha", platform: "gcp", family: "managed", cluster: { cloud: { region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "hacluster-example" }, etcd: { topology: "external" }, endpoint: { keepalived: { advertIntervalSec: 1 } } } },
        errors: [
            "cluster.etcd: is a self-managed (kubeadm) setting; the provider runs etcd in family managed. Fix: remove cluster.etcd",
            "cluster.endpoint: is a self-managed (kubeadm) setting; the provider runs the API endpoint in family managed. Fix: remove cluster.endpoint",
        ],
    },
    {
        name: "managed settings on a self-managed cluster",
        config: cloudCluster("aws", { managed: { releaseChannel: "STABLE" } }),
        errors: ["cluster.managed: managed settings apply to family managed (got family self-managed). Fix: remove cluster.managed, or set hacluster:family: managed"],
    },
    // --- ssh ---
    {
        name: "no ssh settings on-prem",
        config: seedsWith({ ssh: undefined }),
        errors: ["cluster.ssh: on-prem hosts are reached over SSH, but there are no ssh settings (got nothing). Fix: set cluster.ssh.user and either cluster.ssh.privateKeySecret or cluster.ssh.agent: true"],
    },
    {
        name: "no ssh key source",
        config: seedsWith({ ssh: { agent: false } }),
        errors: ["cluster.ssh: no SSH key source (neither privateKeySecret nor agent). Fix: set cluster.ssh.privateKeySecret to a secret config key holding the key, or cluster.ssh.agent: true"],
    },
    {
        name: "ssh key config key not set",
        config: seedsWith({ ssh: { agent: false, privateKeySecret: "sshPrivateKey" } }),
        configKey: () => "unset",
        errors: ["cluster.ssh.privateKeySecret: config key hacluster:sshPrivateKey is not set. Fix: run: pulumi config set --secret hacluster:sshPrivateKey < ~/.ssh/id_ed25519"],
    },
    {
        name: "ssh key stored in plain text",
        config: seedsWith({ ssh: { agent: false, privateKeySecret: "sshPrivateKey" } }),
        configKey: () => "plain",
        errors: ["cluster.ssh.privateKeySecret: config key hacluster:sshPrivateKey holds the SSH key in plain text. Fix: run: pulumi config set --secret hacluster:sshPrivateKey < ~/.ssh/id_ed25519"],
    },
    {
        name: "cluster name defaults to an invalid stack name",
        config: seedsWith({ name: undefined }),
        stack: "My_Stack",
        errors: ['cluster.name: the cluster name defaults to the stack name "My_Stack", which is not a DNS label. Fix: set cluster.name to lowercase letters, digits and \'-\''],
    },
];

function problemsOf(c: Case): string[] {
    try {
        loadSpec(c.config, { stack: c.stack ?? "dev", ...(c.configKey ? { configKey: c.configKey } : {}) });
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map(formatProblem);
        throw e;
    }
    return [];
}

describe("config errors", () => {
    it("has a table of at least 40 bad configs", () => {
        assert.ok(cases.length >= 40, `only ${cases.length} cases`);
    });

    for (const c of cases) {
        it(c.name, () => {
            assert.deepEqual(problemsOf(c), c.errors);
        });
    }

    it("reports every problem at once in one message that names them all", () => {
        const config = seedsWith({ kubernetes: { version: "1.20.0", podSubnet: "10.96.0.0/16" }, endpoint: { vip: "211.183.3.100" } });
        try {
            loadSpec(config, { stack: "dev" });
            assert.fail("expected a ConfigError");
        } catch (e) {
            assert.ok(e instanceof ConfigError);
            assert.equal(e.problems.length, 3);
            assert.match(e.message, /^The stack configuration has 3 problems; nothing was created:\n {2}- cluster\.kubernetes\.version: /);
            for (const p of e.problems) assert.ok(e.message.includes(formatProblem(p)));
        }
    });
});
