/**
 * Generated stack configs for the synth property (synth-config-errors.test.ts): a shipped stack
 * changed at one to three config paths by values users plausibly write for that kind of stack,
 * valid and not, and now and then by junk of any shape.
 */
import * as fc from "fast-check";

const STACKS = ["dev", "onprem-external-etcd", "aws", "gcp", "azure", "eks", "gke", "aks"] as const;
type Stack = (typeof STACKS)[number];

const ONPREM: readonly Stack[] = ["dev", "onprem-external-etcd"];
const SELF: readonly Stack[] = ["aws", "gcp", "azure"];
const MANAGED: readonly Stack[] = ["eks", "gke", "aks"];
const CLOUD: readonly Stack[] = [...SELF, ...MANAGED];
const AWS: readonly Stack[] = ["aws", "eks"];
const GCP: readonly Stack[] = ["gcp", "gke"];
const AZURE: readonly Stack[] = ["azure", "aks"];
const ALL: readonly Stack[] = STACKS;

const host = (name: string, address: string, zone?: string) => ({ name, address, ...(zone ? { zone } : {}) });
const K = (...values: unknown[]) => fc.constantFrom(...values);

interface Change {
    readonly path: string;
    readonly stacks: readonly Stack[];
    readonly values: fc.Arbitrary<unknown>;
}

/** Values users plausibly write, per config path and kind of stack (valid ones too, so valid specs reach the components). */
const CHANGES: readonly Change[] = [
    { path: "profile", stacks: ALL, values: K("learning", "dev", "ha", "prod") },
    { path: "platform", stacks: ALL, values: K("onprem", "aws", "gcp", "azure") },
    { path: "family", stacks: CLOUD, values: K("self-managed", "managed") },
    { path: "cluster.name", stacks: ALL, values: K("c1", "prod-eu", "2024-analytics", "Prod", "analytics-platform-europe-west-production", "payments-platform-eu-central-production-blue", "x".repeat(63), "contoso-retail-analytics-westeurope-production-cluster1", "") },
    { path: "cluster.kubernetes.version", stacks: ALL, values: K("1.34.2", "1.33.4", "1.29.0", "1.35.1", 1.3, "1.28.9", "v1.34.2") },
    { path: "cluster.kubernetes.serviceSubnet", stacks: ALL, values: K("10.96.0.0/12", "10.96.0.0/16", "10.96.0.0/24", "10.96.0.0/28", "10.96.0.0/29", "10.96.0.0/31", "100.64.0.0/16", "8.8.0.0/16", "172.20.0.0/16") },
    { path: "cluster.kubernetes.podSubnet", stacks: ALL, values: K("10.244.0.0/16", "10.64.0.0/12", "10.244.0.0/24", "10.244.0.0/26", "10.244.0.0/30", "192.168.0.0/16") },
    { path: "cluster.kubernetes.maxPodsPerNode", stacks: ALL, values: K(10, 110, 250, 0, -5) },
    { path: "cluster.kubernetes.apiServerExtraArgs", stacks: [...ONPREM, ...SELF], values: K({}, { "audit-log-maxage": "30" }, { "--audit-log-maxage": "30" }, { "audit-log-path": "a\nb" }, { "feature-gates": "A=true,B=false" }, { "Bad Name": "x" }) },
    { path: "cluster.kubernetes.cniManifestUrl", stacks: [...ONPREM, ...SELF], values: K("https://example.com/cni.yaml", "http://example.com/cni.yaml", "https://example.com/a b.yaml") },
    { path: "cluster.network.nodeCidr", stacks: CLOUD, values: K("10.0.0.0/16", "10.0.0.0/20", "10.0.0.0/22", "10.0.0.0/23", "10.0.0.0/24", "10.0.0.0/25", "10.0.0.0/26", "10.0.0.0/27", "10.0.0.0/28", "10.0.0.0/29", "10.0.0.0/30") },
    { path: "cluster.network.nodeCidr", stacks: ONPREM, values: K("211.183.3.0/24", "211.183.3.0/25", "10.20.0.0/24", "10.20.0.0/28", "10.20.0.0/30") },
    { path: "cluster.controlPlane.count", stacks: SELF, values: K(-1, 0, 1, 2, 3, 5, 7, 9) },
    { path: "cluster.workers.count", stacks: CLOUD, values: K(-1, 0, 1, 3, 100, 1000, 6000) },
    {
        path: "cluster.workers.pools",
        stacks: CLOUD,
        values: K(
            [{ name: "general", count: 3 }],
            [{ name: "general", count: 0 }, { name: "batch", count: 2, zones: [] }],
            [{ name: "web", count: 2, labels: { tier: "web,node-role.kubernetes.io/control-plane=" } }],
            [{ name: "web", count: 2, labels: { "example.com/tier": "web", "kubernetes.io/role": "x" } }],
            [{ name: "web", count: 2, labels: { "example.com/tier": "web", app: "" } }],
            [{ name: "general-purpose-a", count: 1 }, { name: "general-purpose-b", count: 1 }],
            [{ name: "system", count: 1 }],
            [{ name: "cp-1", count: 1 }, { name: "etcd-1", count: 1 }, { name: "api", count: 1 }],
            [{ name: "nodes", count: 1 }, { name: "vpc", count: 1 }, { name: "workers", count: 1 }, { name: "network", count: 1 }],
            [{ name: "pki", count: 2, instanceType: "m7g.large" }, { name: "backup", count: 0 }],
            [{ name: "a", count: 1, zones: ["nowhere-1a"] }],
            [],
        ),
    },
    { path: "cluster.workers.count", stacks: ["aws", "gcp", "azure", "eks", "gke", "aks"], values: K(undefined) },
    { path: "cluster.workers.hosts", stacks: ONPREM, values: K([], [host("w1", "211.183.3.110", "rack-a")], [host("w1", "10.20.0.41")], [null, host("w2", "211.183.3.111")], [host("w1", "10.20.0.41"), host("w2", "10.20.0.42"), host("w3", "10.20.0.43")]) },
    {
        path: "cluster.controlPlane.hosts",
        stacks: ONPREM,
        values: K(
            [host("m1", "211.183.3.100", "rack-a"), host("m2", "211.183.3.101", "rack-b"), host("m3", "211.183.3.102", "rack-c")],
            [host("m1", "211.183.3.100"), host("m2", "211.183.3.101"), host("m3", "211.183.3.102")],
            [host("m1", "10.20.0.31", "rack-a"), host("m2", "10.20.0.32", "rack-b"), host("m3", "10.20.0.33", "rack-c"), host("m4", "10.20.0.34", "rack-a"), host("m5", "10.20.0.35", "rack-b")],
            [host("m1", "10.20.0.31", "rack-a")],
            [host("pki", "10.20.0.31", "rack-a"), host("etcd", "10.20.0.32", "rack-b"), host("kubeconfig", "10.20.0.33", "rack-c")],
            [host("m1", "211.183.3.100", "rack-a"), host("m1-bootstrap", "211.183.3.101", "rack-b"), host("m1-token", "211.183.3.102", "rack-c")],
            [],
        ),
    },
    { path: "cluster.etcd.topology", stacks: [...ONPREM, ...SELF], values: K("stacked", "external") },
    { path: "cluster.etcd.count", stacks: SELF, values: K(-3, 0, 1, 3, 5, 8, undefined) },
    { path: "cluster.etcd.backup.onCalendar", stacks: [...ONPREM, ...SELF], values: K("*:0/15", "hourly", "Sat 04:00 Europe/Berlin", "0 */6 * * *", "*-*-* 24:00", "2025-01-01", "*-02-30", "daily\nExecStart=/bin/sh") },
    { path: "cluster.etcd.backup.copyCommand", stacks: [...ONPREM, ...SELF], values: K('rsync -a "$1" b:/x', "a\nb", "x".repeat(5000), "aws s3 cp \"$1\" 's3://b/HACLUSTER_SECRET_EOF'") },
    { path: "cluster.etcd.backup.keep", stacks: [...ONPREM, ...SELF], values: K(1, 96, 0, 100000) },
    { path: "cluster.etcd.backup.retentionDays", stacks: SELF, values: K(1, 14, 0, 5000) },
    { path: "cluster.endpoint.kind", stacks: [...ONPREM, ...SELF], values: K("vip", "loadBalancer", "external", "direct") },
    { path: "cluster.endpoint.address", stacks: [...ONPREM, ...SELF], values: K("lb.example.com", "10.0.0.7", "not valid!") },
    { path: "cluster.endpoint.vip", stacks: ONPREM, values: K("211.183.3.250", "10.0.0.250", "10.20.0.10", "10.20.0.31") },
    { path: "cluster.endpoint.lbHosts", stacks: ONPREM, values: K([], [host("lb-a", "211.183.3.251", "rack-a"), host("lb-b", "211.183.3.252", "rack-b")], [host("lb1", "10.20.0.11"), host("lb2", "10.20.0.12")]) },
    { path: "cluster.endpoint.extraSANs", stacks: [...ONPREM, ...SELF], values: K([], ["api.example.com", "10.0.0.9"], ["*.example.com"], ["not valid!"]) },
    { path: "cluster.endpoint.keepalived.vrrpVersion", stacks: ONPREM, values: K(2, 3) },
    { path: "cluster.endpoint.keepalived.advertIntervalSec", stacks: ONPREM, values: K(0.2, 1, 300) },
    { path: "cluster.endpoint.interface", stacks: ONPREM, values: K("eth0", "ens32", "bond0.100", "eth 0") },
    { path: "cluster.ssh.user", stacks: ONPREM, values: K("ubuntu", "john.doe", "-oProxyCommand=x", "j.doe@corp.example.com") },
    { path: "cluster.tolerance.zones", stacks: [...ONPREM, ...SELF], values: K(0, 1, 2, 3, -1) },
    { path: "cluster.cloud", stacks: ONPREM, values: K({ region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }) },
    { path: "cluster.cloud.zones", stacks: AWS, values: K([], ["eu-west-1a"], ["eu-west-1a", "eu-west-1b"], ["eu-west-1a", "eu-west-1b", "eu-west-1c"], ["eu-west-1-lhr-1a", "eu-west-1a", "eu-west-1b"], ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d", "eu-west-1e"]) },
    { path: "cluster.cloud.zones", stacks: GCP, values: K([], ["europe-west1-b"], ["europe-west1-b", "europe-west1-c", "europe-west1-d"], ["europe-west1-b", "europe-west10-a", "europe-west1-d"], ["europe-west1b"]) },
    { path: "cluster.cloud.zones", stacks: AZURE, values: K([], ["1"], ["1", "2", "3"], [1, 2, 3], ["westeurope-1"]) },
    { path: "cluster.cloud.region", stacks: CLOUD, values: K("eu-west-1", "europe-west1", "westeurope", "us-east-1", "EU West", "-eu") },
    { path: "cluster.cloud.project", stacks: GCP, values: K("hacluster-example", "Acme_Prod", "acme", "example.com:acme-prod", undefined) },
    { path: "cluster.cloud.resourceGroup", stacks: AZURE, values: K("aks-rg", "rg prod!", "k8s/prod.", "r".repeat(91), "prod(1)") },
    { path: "cluster.cloud.publicEndpoint", stacks: CLOUD, values: fc.boolean() },
    { path: "cluster.cloud.apiAllowedCidrs", stacks: CLOUD, values: K([], ["203.0.113.0/24"]) },
    { path: "cluster.cloud.sshAllowedCidrs", stacks: SELF, values: K([], ["203.0.113.0/24"]) },
    { path: "cluster.cloud.diskGb", stacks: CLOUD, values: K(20, 50, 10, "50") },
    { path: "cluster.cloud.image", stacks: ["aws"], values: K("ami-0a0e5d9c7acc336f1", "ubuntu", undefined) },
    { path: "cluster.cloud.image", stacks: ["gcp"], values: K("projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64", "ubuntu-2404", undefined) },
    { path: "cluster.cloud.image", stacks: ["azure"], values: K("Canonical:ubuntu-24_04-lts:server:latest", "Canonical:ubuntu 24:server:latest", "ubuntu", undefined) },
    {
        path: "cluster.cloud.existingNetwork",
        stacks: AWS,
        values: K(undefined, {
            networkId: "vpc-0abc",
            subnets: [
                { id: "subnet-0aaa", cidr: "10.0.0.0/18", zone: "eu-west-1a" },
                { id: "subnet-0bbb", cidr: "10.0.64.0/18", zone: "eu-west-1b" },
                { id: "subnet-0ccc", cidr: "10.0.128.0/18", zone: "eu-west-1c" },
            ],
        }),
    },
    { path: "cluster.cloud.existingNetwork", stacks: [...GCP, ...AZURE], values: K(undefined, { networkId: "net-1", subnets: [{ id: "sub-1", cidr: "10.10.0.0/20" }] }, { networkId: "net-1", subnets: [{ id: "sub-1", cidr: "10.20.0.0/28" }] }) },
    { path: "cluster.managed.privateNodes", stacks: MANAGED, values: fc.boolean() },
    { path: "cluster.managed.adminPrincipals", stacks: MANAGED, values: K([], ["alice"], ["group:platform-admins@example.com"], ["arn:aws:iam::123456789012:role/platform-admins"], ["00000000-0000-0000-0000-000000000000"]) },
    { path: "cluster.managed.releaseChannel", stacks: MANAGED, values: K("RAPID", "stable") },
];

function changeFor(stack: Stack): fc.Arbitrary<readonly [string, unknown]> {
    const mine = CHANGES.filter((c) => c.stacks.includes(stack));
    const one = fc.constantFrom(...mine).chain((c) => c.values.map((v) => [c.path, v] as const));
    const junk = fc.tuple(fc.constantFrom(...mine.map((c) => c.path)), fc.anything({ maxDepth: 2 })).map(([p, v]) => [p, v] as const);
    return fc.oneof({ weight: 12, arbitrary: one }, { weight: 1, arbitrary: junk });
}

/** A shipped stack and one to three changes to its config (config path → value; undefined removes). */
export const generatedConfig = fc.constantFrom(...STACKS).chain((stack) =>
    fc.record({ stack: fc.constant(stack), changes: fc.array(changeFor(stack), { minLength: 1, maxLength: 3 }) }),
);
