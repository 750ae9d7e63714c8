/**
 * Bad configs of the classes an outside battery of stack configs found mishandled (issue 18),
 * each with the exact problems a user sees. Examples of our own, one or more per class:
 * accepted though the cluster cannot work, free-form strings that would reach a node,
 * internal errors instead of config errors, silently ignored keys, valid values refused, and
 * messages that left the user guessing. A case lists every line expected, so a missing or extra
 * message fails it.
 */
import { strict as assert } from "node:assert";
import { ConfigError, formatProblem, loadSpec, type RawStackConfig } from "../../config";
import { host, merge, seedsWith } from "./fixtures";

interface Case {
    readonly name: string;
    readonly config: RawStackConfig;
    readonly errors: readonly string[];
    /** Keys set in the `hacluster:` namespace (without the prefix). */
    readonly keys?: readonly string[];
}

const ZONES = {
    aws: { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] },
    gcp: { region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "hacluster-example" },
    azure: { region: "westeurope", zones: ["1", "2", "3"] },
} as const;

/** A valid self-managed cloud cluster (3 control planes over 3 zones, 3 workers) with a patch. */
function selfManaged(platform: keyof typeof ZONES, patch: Record<string, any> = {}): RawStackConfig {
    const base = { name: "c1", network: { nodeCidr: "10.0.0.0/16" }, controlPlane: { count: 3 }, workers: { count: 3 }, cloud: ZONES[platform] };
    return { profile: "ha", platform, cluster: merge(base, patch) };
}

/** A valid managed cluster (EKS, GKE, AKS) with a patch. */
function managed(platform: keyof typeof ZONES, patch: Record<string, any> = {}): RawStackConfig {
    const base = { name: "m1", network: { nodeCidr: "10.0.0.0/16" }, kubernetes: { version: "1.33.4" }, workers: { count: 3 }, cloud: ZONES[platform] };
    return { profile: "ha", platform, family: "managed", cluster: merge(base, patch) };
}

const pool = (labels: Record<string, string>) => ({ workers: { count: undefined, pools: [{ name: "web", count: 3, labels }] } });
const LABEL_VALUE_FIX = "use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, or an empty value";
const LABEL_KEY_FIX = "write [prefix/]name: an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, e.g. example.com/tier";
const PROJECT_FIX = "use the project's id, not its name: 6 to 30 lowercase letters, digits and '-', starting with a letter and not ending with '-', e.g. acme-prod-4711";
const RG_FIX = "use 1 to 90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'";
const REPEATING_FIX = "use a repeating event, e.g. *-*-* 02:00 (daily at 02:00) or *:0/15 (every 15 minutes)";
const threeSubnets = [
    { id: "subnet-0aaa", cidr: "10.0.0.0/18", zone: "eu-west-1a" },
    { id: "subnet-0bbb", cidr: "10.0.64.0/18", zone: "eu-west-1b" },
    { id: "subnet-0ccc", cidr: "10.0.128.0/18", zone: "eu-west-1c" },
];

const classes: Record<string, Case[]> = {
    "accepted though the cluster cannot work": [
        {
            name: "external etcd with a negative member count",
            config: selfManaged("gcp", { etcd: { topology: "external", count: -3 } }),
            errors: ["cluster.etcd.count: must be a whole number, 0 or more (got -3). Fix: use 3 or 5"],
        },
        {
            name: "a negative control plane count",
            config: selfManaged("azure", { controlPlane: { count: -1 } }),
            errors: ["cluster.controlPlane.count: must be a whole number, 0 or more (got -1). Fix: use 1, 3 or 5"],
        },
        {
            name: "an AWS Local Zone that starts with the region's name",
            config: selfManaged("aws", { cloud: { zones: ["eu-west-1a", "eu-west-1b", "eu-west-1-lhr-1a"] } }),
            errors: ['cluster.cloud.zones: zones ["eu-west-1-lhr-1a"] are not zones of region eu-west-1. Fix: name each zone as the region and one letter, e.g. eu-west-1a'],
        },
        {
            name: "a GCP zone of another region whose name starts with this one's",
            config: selfManaged("gcp", { cloud: { zones: ["europe-west1-b", "europe-west1-c", "europe-west10-a"] } }),
            errors: ["cluster.cloud.zones: zones [\"europe-west10-a\"] are not zones of region europe-west1. Fix: name each zone as the region, '-' and one letter, e.g. europe-west1-b"],
        },
        {
            name: "a service range without room for the cluster DNS address",
            config: seedsWith({ kubernetes: { serviceSubnet: "10.96.0.0/29" } }),
            errors: ["cluster.kubernetes.serviceSubnet: 10.96.0.0/29 holds 8 addresses, but kubeadm gives the cluster DNS service address number 10 of the range. Fix: use a /28 or larger, e.g. 10.96.0.0/12"],
        },
        {
            name: "a pod network over the link-local range of the cloud metadata service, a loopback service range",
            config: selfManaged("gcp", { kubernetes: { podSubnet: "169.254.0.0/16", serviceSubnet: "127.0.0.0/16" } }),
            errors: [
                "cluster.kubernetes.podSubnet: 169.254.0.0/16 overlaps 169.254.0.0/16 (link-local, where the cloud metadata service answers), which no node, pod or service may use. Fix: use private ranges, e.g. nodes 10.0.0.0/16, pods 10.244.0.0/16, services 10.96.0.0/12",
                "cluster.kubernetes.serviceSubnet: 127.0.0.0/16 overlaps 127.0.0.0/8 (loopback), which no node, pod or service may use. Fix: use private ranges, e.g. nodes 10.0.0.0/16, pods 10.244.0.0/16, services 10.96.0.0/12",
            ],
        },
        {
            name: "an external load balancer address that is a wildcard",
            config: seedsWith({ endpoint: { kind: "external", address: "*.lb.example.com", vip: undefined, lbHosts: [] } }),
            errors: ['cluster.endpoint.address: "*.lb.example.com" is neither an IPv4 address nor a DNS name. Fix: set the load balancer\'s IPv4 address or DNS name'],
        },
        {
            name: "the same service range on AKS",
            config: managed("azure", { kubernetes: { serviceSubnet: "10.96.0.0/29" } }),
            errors: ["cluster.kubernetes.serviceSubnet: 10.96.0.0/29 holds 8 addresses, but kubeadm gives the cluster DNS service address number 10 of the range. Fix: use a /28 or larger, e.g. 10.96.0.0/12"],
        },
        {
            name: "a GKE cluster name over GKE's 40 characters",
            config: managed("gcp", { name: "analytics-platform-europe-west-production" }),
            errors: ['cluster.name: "analytics-platform-europe-west-production" has 41 characters; GKE allows 40 in a cluster name. Fix: set cluster.name to at most 40 characters'],
        },
        {
            name: "a GKE cluster name starting with a digit",
            config: managed("gcp", { name: "2024-analytics" }),
            errors: ['cluster.name: "2024-analytics" starts with a digit; GKE cluster names start with a letter. Fix: set cluster.name to a name that starts with a letter'],
        },
        {
            name: "an EKS cluster name too long for its IAM role",
            config: managed("aws", { name: "payments-platform-eu-central-production-blue" }),
            errors: [
                'cluster.name: "payments-platform-eu-central-production-blue" has 44 characters; on EKS the cluster\'s IAM role is named "<name>-cluster-role-" plus 7 random characters and AWS allows 64. Fix: set cluster.name to at most 43 characters',
            ],
        },
        {
            name: "an AKS cluster name too long for its DNS prefix",
            config: managed("azure", { name: "contoso-retail-analytics-westeurope-production-cluster1" }),
            errors: ['cluster.name: "contoso-retail-analytics-westeurope-production-cluster1" has 55 characters; AKS makes it the cluster\'s DNS prefix, which allows 54. Fix: set cluster.name to at most 54 characters'],
        },
        {
            name: "a GCP project name where the id belongs (self-managed)",
            config: selfManaged("gcp", { cloud: { project: "Acme_Prod" } }),
            errors: [`cluster.cloud.project: "Acme_Prod" is not a GCP project id. Fix: ${PROJECT_FIX}`],
        },
        {
            name: "a GCP project id too short (GKE)",
            config: managed("gcp", { cloud: { project: "acme" } }),
            errors: [`cluster.cloud.project: "acme" is not a GCP project id. Fix: ${PROJECT_FIX}`],
        },
        {
            name: "an Azure resource group with a space and '!' (self-managed)",
            config: selfManaged("azure", { cloud: { resourceGroup: "rg prod!" } }),
            errors: [`cluster.cloud.resourceGroup: "rg prod!" is not an Azure resource group name. Fix: ${RG_FIX}`],
        },
        {
            name: "an Azure resource group with '/' and a final '.' (AKS)",
            config: managed("azure", { cloud: { resourceGroup: "k8s/prod." } }),
            errors: [`cluster.cloud.resourceGroup: "k8s/prod." is not an Azure resource group name. Fix: ${RG_FIX}`],
        },
        {
            name: "a backup schedule in cron syntax",
            config: seedsWith({ etcd: { backup: { onCalendar: "0 */6 * * *" } } }),
            errors: ['cluster.etcd.backup.onCalendar: "0 */6 * * *" is cron syntax, which systemd\'s OnCalendar refuses, so the backup timer would never load. Fix: write it as a systemd calendar event: *-*-* 00/6:00:00'],
        },
        {
            name: "a backup schedule at hour 24",
            config: seedsWith({ etcd: { backup: { onCalendar: "Mon..Fri 24:00" } } }),
            errors: [
                'cluster.etcd.backup.onCalendar: "Mon..Fri 24:00" is not a systemd calendar event (hour 24 is outside 0–23), so the backup timer would never load. Fix: write e.g. *:0/15 (every 15 minutes), hourly or Mon..Fri 02:00; `systemd-analyze calendar` checks one',
            ],
        },
        {
            name: "a backup schedule that names a year",
            config: seedsWith({ etcd: { backup: { onCalendar: "2025-06-01 02:00" } } }),
            errors: [`cluster.etcd.backup.onCalendar: "2025-06-01 02:00" names a year, so the backups would stop after it. Fix: ${REPEATING_FIX}`],
        },
        {
            name: "a backup schedule on a day February does not have",
            config: seedsWith({ etcd: { backup: { onCalendar: "*-02-30 03:00" } } }),
            errors: [`cluster.etcd.backup.onCalendar: "*-02-30 03:00" never elapses: no month it names has that day. Fix: ${REPEATING_FIX}`],
        },
    ],
    "free-form strings that would reach a node": [
        {
            name: "a label value with a comma that smuggles a reserved label past the key check",
            config: selfManaged("aws", pool({ tier: "web,node-role.kubernetes.io/control-plane=" })),
            errors: [`cluster.workers.pools[0].labels.tier: "web,node-role.kubernetes.io/control-plane=" is not a Kubernetes label value. Fix: ${LABEL_VALUE_FIX}`],
        },
        {
            name: "a label key with a space and a value with a command substitution",
            config: selfManaged("gcp", pool({ "team name": "payments", app: "$(reboot)" })),
            errors: [
                `cluster.workers.pools[0].labels["team name"]: "team name" is not a Kubernetes label key. Fix: ${LABEL_KEY_FIX}`,
                `cluster.workers.pools[0].labels.app: "$(reboot)" is not a Kubernetes label value. Fix: ${LABEL_VALUE_FIX}`,
            ],
        },
        {
            name: "a label value of 64 characters, on a managed pool",
            config: managed("aws", pool({ "example.com/owner": "a".repeat(64) })),
            errors: [`cluster.workers.pools[0].labels["example.com/owner"]: "${"a".repeat(64)}" is not a Kubernetes label value. Fix: ${LABEL_VALUE_FIX}`],
        },
        {
            name: "an API server flag written with its dashes",
            config: seedsWith({ kubernetes: { apiServerExtraArgs: { "--audit-log-maxage": "30" } } }),
            errors: ['cluster.kubernetes.apiServerExtraArgs["--audit-log-maxage"]: flag names are written without the leading "--", which kubeadm adds (got "--audit-log-maxage"). Fix: write audit-log-maxage'],
        },
        {
            name: "an API server flag value with a newline",
            config: seedsWith({ kubernetes: { apiServerExtraArgs: { "audit-log-path": "/var/log/audit.log\n--anonymous-auth=true" } } }),
            errors: ['cluster.kubernetes.apiServerExtraArgs.audit-log-path: must be one line (got "/var/log/audit.log\\n--anonymous-auth=true"). Fix: write the value on one line, without control characters'],
        },
        {
            name: "an API server flag name with capitals and a space",
            config: seedsWith({ kubernetes: { apiServerExtraArgs: { "Audit Log": "x" } } }),
            errors: ['cluster.kubernetes.apiServerExtraArgs["Audit Log"]: "Audit Log" is not a kube-apiserver flag name. Fix: write the name as `kube-apiserver --help` lists it, without "--", e.g. audit-log-maxage'],
        },
        {
            name: "a backup copy command of two lines",
            config: seedsWith({ etcd: { backup: { copyCommand: 'rsync -a "$1" b:/x\nreboot' } } }),
            errors: ['cluster.etcd.backup.copyCommand: must be one line (got "rsync -a \\"$1\\" b:/x\\nreboot"). Fix: write one command line; put longer logic in a script on the hosts and call that'],
        },
        {
            name: "a CNI manifest URL with a space",
            config: seedsWith({ kubernetes: { cniManifestUrl: "https://example.com/cni v1.yaml" } }),
            errors: [`cluster.kubernetes.cniManifestUrl: must be an http(s) URL (got "https://example.com/cni v1.yaml"). Fix: point it at a pinned CNI manifest, e.g. a release asset or your mirror's copy`],
        },
    ],
    "internal errors that are config errors": [
        {
            name: "a GCP node network too small for the fixed addresses of external etcd",
            config: selfManaged("gcp", { network: { nodeCidr: "10.0.0.0/27" }, etcd: { topology: "external", count: 3 } }),
            errors: ["cluster.network.nodeCidr: 10.0.0.0/27 is too small: nodes take fixed addresses up to .49. Fix: use a /26 or larger subnet"],
        },
        {
            name: "an Azure node network of 16 addresses",
            config: selfManaged("azure", { network: { nodeCidr: "10.0.0.0/28" } }),
            errors: ["cluster.network.nodeCidr: 10.0.0.0/28 is too small: nodes take fixed addresses up to .49. Fix: use a /26 or larger subnet"],
        },
        {
            name: "more workers than the node network has addresses",
            config: selfManaged("azure", { network: { nodeCidr: "10.0.0.0/24" }, kubernetes: { podSubnet: "10.64.0.0/12" }, workers: { count: 300 } }),
            errors: ["cluster.network.nodeCidr: 10.0.0.0/24 has room for 247 workers beside 4 fixed addresses and the 5 the cloud keeps (got 300 workers). Fix: use a /23 or larger node network"],
        },
        {
            name: "an EKS node network of 4 addresses over 5 zones (found by the messages property)",
            config: managed("aws", { network: { nodeCidr: "10.0.0.0/30" }, cloud: { region: "us-east-1", zones: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"] } }),
            errors: ["cluster.network.nodeCidr: 10.0.0.0/30 split over 5 zones leaves less than an address per zone, too small for the nodes. Fix: use a /16 to /22, e.g. 10.0.0.0/16"],
        },
        {
            name: "five AWS zones leave no room for public subnets",
            config: selfManaged("aws", { network: { nodeCidr: "10.0.0.0/23" }, cloud: { region: "us-east-1", zones: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"] } }),
            errors: ["cluster.network.nodeCidr: 10.0.0.0/23 split over 5 zones leaves no room for a public (NAT) subnet per zone. Fix: use a larger network, e.g. 10.0.0.0/16, or bring your own VPC in cluster.cloud.existingNetwork"],
        },
        {
            name: "a region and zones with a leading '-' (a zone becomes part of resource names)",
            config: selfManaged("aws", { cloud: { region: "-eu", zones: ["-eua", "-eub", "-euc"] } }),
            errors: [
                'cluster.cloud.region: must be a region name (got "-eu"). Fix: use e.g. eu-west-1, europe-west1 or westeurope',
                'cluster.cloud.zones[0]: must be a zone name (got "-eua"). Fix: use e.g. eu-west-1a, europe-west1-b or 1',
                'cluster.cloud.zones[1]: must be a zone name (got "-eub"). Fix: use e.g. eu-west-1a, europe-west1-b or 1',
                'cluster.cloud.zones[2]: must be a zone name (got "-euc"). Fix: use e.g. eu-west-1a, europe-west1-b or 1',
            ],
        },
        {
            name: "a worker pool with no zones",
            config: selfManaged("gcp", { workers: { count: undefined, pools: [{ name: "batch", count: 2, zones: [] }] } }),
            errors: ["cluster.workers.pools[0].zones: no zones (got []). Fix: list zones from cluster.cloud.zones, or remove zones to use all of them"],
        },
        {
            name: "a public AWS endpoint in an existing VPC",
            config: selfManaged("aws", { cloud: { publicEndpoint: true, existingNetwork: { networkId: "vpc-0abc", subnets: threeSubnets } } }),
            errors: [
                "cluster.cloud.publicEndpoint: a public API load balancer needs public subnets, and cluster.cloud.existingNetwork names none (got true). Fix: set publicEndpoint: false and reach the internal NLB through your VPN or peering, or let the stack create the network",
            ],
        },
        {
            name: "an external endpoint on Azure",
            config: selfManaged("azure", { endpoint: { kind: "external", address: "lb.example.com" } }),
            errors: ['cluster.endpoint.kind: external is not available on azure (got "external"). Fix: use loadBalancer (the default on clouds)'],
        },
        {
            name: "an Azure image reference with a space",
            config: selfManaged("azure", { cloud: { image: "Canonical:ubuntu 24:server:latest" } }),
            errors: ['cluster.cloud.image: "Canonical:ubuntu 24:server:latest" is not publisher:offer:sku:version. Fix: use e.g. Canonical:ubuntu-24_04-lts:server:latest (pin a version)'],
        },
        {
            name: "EKS checks reported together with the others",
            config: managed("aws", { kubernetes: { serviceSubnet: "100.64.0.0/16" }, managed: { adminPrincipals: ["alice"] }, ...pool({ tier: "a b" }) }),
            errors: [
                `cluster.workers.pools[0].labels.tier: "a b" is not a Kubernetes label value. Fix: ${LABEL_VALUE_FIX}`,
                "cluster.kubernetes.serviceSubnet: EKS takes a service range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, from /12 to /24 (got 100.64.0.0/16). Fix: use e.g. 10.96.0.0/12 or 172.20.0.0/16",
                'cluster.managed.adminPrincipals[0]: EKS admins are IAM role or user ARNs (got "alice"). Fix: write e.g. arn:aws:iam::123456789012:role/platform-admins',
            ],
        },
        {
            name: "a private GKE endpoint with public nodes",
            config: managed("gcp", { cloud: { publicEndpoint: false }, managed: { privateNodes: false } }),
            errors: ["cluster.cloud.publicEndpoint: a GKE cluster with a private endpoint needs private nodes (got managed.privateNodes: false). Fix: set cluster.managed.privateNodes: true, or cloud.publicEndpoint: true"],
        },
        {
            name: "two AKS pools whose names become the same agent pool name",
            config: managed("azure", { workers: { count: undefined, pools: [{ name: "general-purpose-a", count: 1 }, { name: "general-purpose-b", count: 1 }] } }),
            errors: ['cluster.workers.pools[1].name: "general-purpose-b" becomes the AKS pool name "generalpurpo", which pool "general-purpose-a" already has. Fix: rename the pool so its first 12 letters and digits differ'],
        },
    ],
    "silently ignored keys": [
        {
            name: "names of object built-ins as setting names (found by the junk property)",
            config: seedsWith({ toString: { "": [null] }, workers: { constructor: 1 } }),
            errors: [
                "cluster.workers.constructor: is not a known setting. Fix: remove it or check its spelling against the configuration reference in README.md",
                "cluster.toString: is not a known setting. Fix: remove it or check its spelling against the configuration reference in README.md",
            ],
        },
        {
            name: "__proto__ as a flag name and a label key (JSON keeps it, a parsed object would drop it)",
            config: JSON.parse(
                '{"profile":"ha","platform":"aws","cluster":{"name":"c1","controlPlane":{"count":3},"cloud":{"region":"eu-west-1","zones":["eu-west-1a","eu-west-1b","eu-west-1c"]},' +
                    '"kubernetes":{"apiServerExtraArgs":{"__proto__":"x"}},"workers":{"pools":[{"name":"p","count":1,"labels":{"__proto__":"y"}}]}}}',
            ),
            errors: [
                'cluster.kubernetes.apiServerExtraArgs.__proto__: is not a usable name (got "__proto__"). Fix: remove it',
                'cluster.workers.pools[0].labels.__proto__: is not a usable name (got "__proto__"). Fix: remove it',
            ],
        },
        {
            name: "hacluster:profle",
            config: seedsWith({}),
            keys: ["profile", "platform", "profle", "cluster"],
            errors: ["hacluster:profle: is not a known setting. Fix: did you mean hacluster:profile? Otherwise remove it"],
        },
        {
            name: "hacluster:clusetr",
            config: seedsWith({}),
            keys: ["profile", "platform", "cluster", "clusetr"],
            errors: ["hacluster:clusetr: is not a known setting. Fix: did you mean hacluster:cluster? Otherwise remove it"],
        },
        {
            name: "a secret key that differs from the one cluster.ssh.privateKeySecret names",
            config: seedsWith({ ssh: { agent: false, privateKeySecret: "sshPrivateKey" } }),
            keys: ["profile", "platform", "cluster", "sshPrivateKey", "sshPrivatekey"],
            errors: ["hacluster:sshPrivatekey: is not a known setting. Fix: did you mean hacluster:sshPrivateKey? Otherwise remove it"],
        },
        {
            name: "a key nothing reads",
            config: seedsWith({}),
            keys: ["profile", "platform", "cluster", "region"],
            errors: ["hacluster:region: is not a known setting. Fix: remove it; the project reads hacluster:profile, platform, family and cluster, and the key cluster.ssh.privateKeySecret names"],
        },
        {
            name: "a misspelt setting deep inside the cluster",
            config: seedsWith({ etcd: { backup: { onCalender: "daily" } } }),
            errors: ["cluster.etcd.backup.onCalender: is not a known setting. Fix: did you mean cluster.etcd.backup.onCalendar? Otherwise remove it"],
        },
    ],
    "messages that left the user guessing": [
        {
            name: "a numeric bound",
            config: seedsWith({ etcd: { heartbeatIntervalMs: 5 } }),
            errors: ["cluster.etcd.heartbeatIntervalMs: must be a whole number from 10 to 5000 (got 5). Fix: use a number from 10 to 5000"],
        },
        {
            name: "a fractional bound",
            config: seedsWith({ endpoint: { keepalived: { advertIntervalSec: 300 } } }),
            errors: ["cluster.endpoint.keepalived.advertIntervalSec: must be a number from 0.01 to 255 (got 300). Fix: use a number from 0.01 to 255"],
        },
        {
            name: "a number in quotes",
            config: selfManaged("aws", { cloud: { diskGb: "50" } }),
            errors: ['cluster.cloud.diskGb: must be a whole number from 20 to 4096 (got "50"). Fix: write 50 without quotes'],
        },
        {
            name: "an unquoted version read as a number",
            config: seedsWith({ kubernetes: { version: 1.3 } }),
            errors: ['cluster.kubernetes.version: must be quoted text, but YAML read the unquoted 1.3 as a number, which drops trailing zeros (1.30 reads as 1.3). Fix: put the full release in quotes, e.g. version: "1.34.2"'],
        },
        {
            name: "unquoted Azure zones read as numbers",
            config: selfManaged("azure", { cloud: { zones: [1, 2, 3] } }),
            errors: [
                'cluster.cloud.zones[0]: must be quoted text, but YAML read the unquoted 1 as a number. Fix: put it in quotes: "1"',
                'cluster.cloud.zones[1]: must be quoted text, but YAML read the unquoted 2 as a number. Fix: put it in quotes: "2"',
                'cluster.cloud.zones[2]: must be quoted text, but YAML read the unquoted 3 as a number. Fix: put it in quotes: "3"',
            ],
        },
        {
            name: "a value where a mapping belongs",
            config: seedsWith({ kubernetes: "1.34.2" }),
            errors: ['cluster.kubernetes: must be a mapping of settings (got "1.34.2"). Fix: write it as an indented block of key: value lines'],
        },
        {
            name: "a value where a list belongs",
            config: seedsWith({ workers: { hosts: "worker1" } }),
            errors: ['cluster.workers.hosts: must be a list (got "worker1"). Fix: write it as a YAML list, one "- " line per entry'],
        },
        {
            name: "holes left by an index past the end of a list",
            config: seedsWith({ workers: { hosts: [host("worker1", "211.183.3.110", "rack-a"), null, null, { name: "worker4", address: "211.183.3.113" }] } }),
            errors: ["cluster.workers.hosts: entries [1] and [2] are empty (got null), holes before entry [3]. Fix: give every entry its settings, or add entries at the next free index ([1] here) instead of past the end of the list"],
        },
        {
            name: "hosts without zones in ha",
            config: seedsWith({
                controlPlane: { hosts: [host("master1", "211.183.3.100"), host("master2", "211.183.3.101"), host("master3", "211.183.3.102", "rack-c")] },
                endpoint: { lbHosts: [host("lb-a", "211.183.3.251"), host("lb-b", "211.183.3.252")] },
            }),
            errors: [
                "cluster.controlPlane.hosts: master1 and master2 have no zone (got nothing), so losing a zone cannot be checked against cluster.tolerance.zones 1. Fix: set zone on every host (its rack, room or site), or set cluster.tolerance.zones: 0",
                "cluster.endpoint.lbHosts: lb-a and lb-b have no zone (got nothing), so losing a zone cannot be checked against cluster.tolerance.zones 1. Fix: set zone on every host (its rack, room or site), or set cluster.tolerance.zones: 0",
            ],
        },
    ],
};

function problemsOf(c: Pick<Case, "config" | "keys">): string[] {
    try {
        loadSpec(c.config, { stack: "dev", configKey: () => "secret", ...(c.keys ? { keys: c.keys } : {}) });
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map(formatProblem);
        throw e;
    }
    return [];
}

describe("config errors: the issue 18 battery", () => {
    for (const [kind, cases] of Object.entries(classes)) {
        describe(kind, () => {
            for (const c of cases) it(c.name, () => assert.deepEqual(problemsOf(c), c.errors));
        });
    }

    describe("refused though valid", () => {
        for (const user of ["john.doe", "svc_deploy.k8s", "j.doe@corp.example.com", "_ansible"]) {
            it(`ssh login ${user}`, () => assert.deepEqual(problemsOf({ config: seedsWith({ ssh: { user } }) }), []));
        }
        it("still refuses a login that ssh would read as an option", () => {
            assert.deepEqual(problemsOf({ config: seedsWith({ ssh: { user: "-oProxyCommand=x" } }) }), [
                'cluster.ssh.user: must be a login name (got "-oProxyCommand=x"). Fix: use the login user of your hosts: letters, digits, \'_\', \'.\' and \'-\', starting with a letter or \'_\', optionally @domain, e.g. ubuntu or john.doe',
            ]);
        });
        for (const onCalendar of ["*:0/15", "hourly", "Mon..Fri *-*-* 02:30:00", "*-*~01 03:00 UTC", "Sat 04:00 Europe/Berlin", "*-1/3-1 00:00"]) {
            it(`backup schedule ${onCalendar}`, () => assert.deepEqual(problemsOf({ config: seedsWith({ etcd: { backup: { onCalendar } } }) }), []));
        }
        for (const labels of [{ "example.com/tier": "web" }, { tier: "" }, { "node.kubernetes.io/pool": "general" }, { a: "A_b.c-9" }] as Record<string, string>[]) {
            it(`pool labels ${JSON.stringify(labels)}`, () => assert.deepEqual(problemsOf({ config: selfManaged("aws", pool(labels)) }), []));
        }
        it("every shipped managed name at its limit", () => {
            assert.deepEqual(problemsOf({ config: managed("gcp", { name: `g${"x".repeat(39)}` }) }), []);
            assert.deepEqual(problemsOf({ config: managed("aws", { name: `e${"x".repeat(42)}` }) }), []);
            assert.deepEqual(problemsOf({ config: managed("azure", { name: `a${"x".repeat(53)}` }) }), []);
        });
    });

    it("reports problems of several classes at once, in one ConfigError", () => {
        const config = managed("gcp", {
            name: "analytics-platform-europe-west-production",
            cloud: { project: "Acme_Prod" },
            kubernetes: { serviceSubnet: "10.96.0.0/29" },
            ...pool({ tier: "web,db" }),
        });
        assert.deepEqual(problemsOf({ config, keys: ["profile", "platform", "family", "cluster", "profle"] }), [
            'cluster.name: "analytics-platform-europe-west-production" has 41 characters; GKE allows 40 in a cluster name. Fix: set cluster.name to at most 40 characters',
            `cluster.cloud.project: "Acme_Prod" is not a GCP project id. Fix: ${PROJECT_FIX}`,
            `cluster.workers.pools[0].labels.tier: "web,db" is not a Kubernetes label value. Fix: ${LABEL_VALUE_FIX}`,
            "cluster.kubernetes.serviceSubnet: 10.96.0.0/29 holds 8 addresses, but kubeadm gives the cluster DNS service address number 10 of the range. Fix: use a /28 or larger, e.g. 10.96.0.0/12",
            "hacluster:profle: is not a known setting. Fix: did you mean hacluster:profile? Otherwise remove it",
        ]);
    });
});
