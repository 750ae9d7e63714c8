/**
 * The managed family's pure decisions (per-zone counts, subnets, names, ARNs, kubeconfig) and
 * its config contract: the shipped stacks load, and options of the other family are refused
 * with their messages.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { ConfigError, formatProblem, loadSpec, type RawStackConfig } from "../../config";
import { overlaps } from "../../config/net";
import { zoneSubnets } from "../../config/placement";
import { aksDnsServiceIp, aksPoolName, keyVaultName } from "../../components/managed/aks/plan";
import { perZoneCount, stableId } from "../../components/managed/common";
import { awsManagedPolicy, awsPartition, eksAmiType, eksPublicSubnets } from "../../components/managed/eks/plan";
import { gcpAccountId, gkeMasterCidr, gkeServiceAgent } from "../../components/managed/gke/plan";
import { renderExecKubeconfig } from "../../components/managed/kubeconfig";
import { managedSpec } from "./harness";

const ROOT = path.join(__dirname, "..", "..");

function errorsOf(cfg: RawStackConfig): string[] {
    try {
        loadSpec(cfg, { stack: "t" });
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map(formatProblem);
        throw e;
    }
    return [];
}

describe("managed: pure decisions", () => {
    it("GKE per-zone counts never give fewer nodes than asked, and at most one extra per zone", () => {
        assert.deepEqual([perZoneCount(10, 3), perZoneCount(3, 3), perZoneCount(0, 3), perZoneCount(1, 3), perZoneCount(1000, 3)], [4, 1, 0, 1, 334]);
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 4 }), (count, zones) => {
                const total = perZoneCount(count, zones) * zones;
                return total >= count && total < count + zones;
            }),
        );
        assert.throws(() => perZoneCount(3, 0), /at least one zone/);
    });

    it("EKS public subnets sit in the spare block, one per zone, overlapping no node subnet", () => {
        assert.deepEqual(eksPublicSubnets("10.0.0.0/16", ["a", "b", "c"])?.map((s) => s.cidr), ["10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20"]);
        assert.deepEqual(eksPublicSubnets("10.0.0.0/24", ["a", "b", "c"])?.map((s) => s.cidr), ["10.0.0.192/28", "10.0.0.208/28", "10.0.0.224/28"]);
        fc.assert(
            fc.property(fc.integer({ min: 12, max: 22 }), fc.integer({ min: 2, max: 7 }), (prefix, n) => {
                const zones = Array.from({ length: n }, (_, i) => `z${i}`);
                const net = `10.0.0.0/${prefix}`;
                const pub = eksPublicSubnets(net, zones);
                if (!pub) return true;
                const priv = zoneSubnets(net, zones);
                const all = [...priv.map((s) => s.cidr), ...pub.map((s) => s.cidr)];
                return pub.length === n && all.every((a, i) => all.every((b, j) => i === j || !overlaps(a, b))) && pub.every((s) => overlaps(s.cidr, net));
            }),
        );
    });

    it("EKS: ARNs by partition from the region, ARM AMIs for Graviton types", () => {
        assert.deepEqual(["eu-west-1", "cn-north-1", "us-gov-west-1"].map(awsPartition), ["aws", "aws-cn", "aws-us-gov"]);
        assert.equal(awsManagedPolicy("cn-north-1", "AmazonEKSClusterPolicy"), "arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy");
        const types = ["m6i.large", "m7g.large", "c6gn.xlarge", "t4g.medium", "r8g.2xlarge", "g5.xlarge", "m5.large", "c7a.large"];
        assert.deepEqual(types.map(eksAmiType), [
            "AL2023_x86_64_STANDARD",
            "AL2023_ARM_64_STANDARD",
            "AL2023_ARM_64_STANDARD",
            "AL2023_ARM_64_STANDARD",
            "AL2023_ARM_64_STANDARD",
            "AL2023_x86_64_STANDARD",
            "AL2023_x86_64_STANDARD",
            "AL2023_x86_64_STANDARD",
        ]);
    });

    it("GKE: the control plane /28 avoids the cluster's ranges; service account ids fit GCP's rules", () => {
        const spec = (cluster: Record<string, unknown>) =>
            loadSpec({ profile: "dev", platform: "gcp", family: "managed", cluster: { cloud: { region: "europe-west1", zones: ["europe-west1-b"], project: "hacluster-example" }, ...cluster } }, { stack: "g" }).spec;
        assert.equal(gkeMasterCidr(managedSpec(spec({}))), "172.16.0.0/28");
        assert.equal(gkeMasterCidr(managedSpec(spec({ network: { nodeCidr: "172.16.0.0/16" } }))), "172.31.255.240/28");
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/), (name) => /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/.test(gcpAccountId(name, "nodes"))),
        );
        assert.equal(gkeServiceAgent("42"), "serviceAccount:service-42@container-engine-robot.iam.gserviceaccount.com");
        assert.equal(gkeServiceAgent(undefined), undefined);
    });

    it("AKS: pool names of 12 letters and digits, Key Vault names of at most 24, CoreDNS at .10 of the service range", () => {
        assert.deepEqual(["general-purpose", "gpu", "1st-pool", "a-b-c"].map(aksPoolName), ["generalpurpo", "gpu", "p1stpool", "abc"]);
        fc.assert(fc.property(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/), (name) => /^[a-z][a-z0-9]{0,11}$/.test(aksPoolName(name))));
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/), fc.stringMatching(/^[a-z0-9]{6}$/), (name, suffix) => {
                const n = keyVaultName(name, suffix);
                return n.length >= 3 && n.length <= 24 && /^[a-z][a-z0-9-]*[a-z0-9]$/.test(n) && !n.includes("--");
            }),
        );
        assert.equal(aksDnsServiceIp("10.96.0.0/12"), "10.96.0.10");
    });

    it("list entries get stable names; exec kubeconfigs carry no credential", () => {
        assert.equal(stableId("arn:aws:iam::1:role/a"), stableId("arn:aws:iam::1:role/a"));
        assert.notEqual(stableId("arn:aws:iam::1:role/a"), stableId("arn:aws:iam::1:role/b"));
        assert.match(stableId("x"), /^[0-9a-f]{10}$/);
        const kc = parse(renderExecKubeconfig({ name: "c", server: "https://x", caData: "Q0E=", exec: { command: "aws", args: ["eks", "get-token"], installHint: "install" } }));
        assert.deepEqual(kc.users[0].user, { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token"], interactiveMode: "IfAvailable", installHint: "install" } });
        assert.equal(kc["current-context"], "c");
    });
});

describe("managed: config contract", () => {
    for (const stack of ["eks", "gke", "aks"]) {
        it(`Pulumi.${stack}.yaml loads as a managed ha cluster over three zones`, () => {
            const config = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config as Record<string, unknown>;
            const { spec, warnings } = loadSpec(
                { profile: config["hacluster:profile"], platform: config["hacluster:platform"], family: config["hacluster:family"], cluster: config["hacluster:cluster"] },
                { stack },
            );
            assert.deepEqual([spec.family, spec.profile, managedSpec(spec).cloud.zones.length, spec.kubernetes.minor, spec.name], ["managed", "ha", 3, 33, stack]);
            assert.deepEqual(warnings, []);
        });
    }

    const gke = { region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "hacluster-example" };
    const cases: [string, RawStackConfig, string[]][] = [
        [
            "managed GKE with etcd, endpoint, control planes and tolerance",
            { platform: "gcp", family: "managed", cluster: { cloud: gke, etcd: { topology: "external" }, endpoint: { kind: "loadBalancer" }, controlPlane: { count: 3 }, tolerance: { zones: 1 } } },
            [
                "cluster.etcd: is a self-managed (kubeadm) setting; the provider runs etcd in family managed. Fix: remove cluster.etcd",
                "cluster.endpoint: is a self-managed (kubeadm) setting; the provider runs the API endpoint in family managed. Fix: remove cluster.endpoint",
                "cluster.controlPlane: is a self-managed (kubeadm) setting; the provider runs the control plane in family managed. Fix: remove cluster.controlPlane",
                "cluster.tolerance: is a self-managed (kubeadm) setting; the provider places the control plane in family managed. Fix: remove cluster.tolerance",
            ],
        ],
        [
            "managed EKS with API server flags and a CNI manifest",
            {
                platform: "aws",
                family: "managed",
                cluster: { cloud: { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }, kubernetes: { apiServerExtraArgs: { "audit-log-maxage": "30" }, cniManifestUrl: "https://example.com/cni.yaml" } },
            },
            [
                "cluster.kubernetes.apiServerExtraArgs: is a self-managed (kubeadm) setting; the provider configures the API server in family managed. Fix: remove cluster.kubernetes.apiServerExtraArgs",
                "cluster.kubernetes.cniManifestUrl: is a self-managed (kubeadm) setting; the provider installs the network plugin in family managed. Fix: remove cluster.kubernetes.cniManifestUrl",
            ],
        ],
        [
            "managed settings on a self-managed AKS-region cluster",
            { platform: "azure", cluster: { cloud: { region: "westeurope", zones: ["1", "2", "3"] }, managed: { azureRbac: true } } },
            ["cluster.managed: managed settings apply to family managed (got family self-managed). Fix: remove cluster.managed, or set hacluster:family: managed"],
        ],
    ];
    for (const [name, cfg, expected] of cases) {
        it(`refuses ${name}`, () => {
            const got = errorsOf({ profile: "ha", ...cfg });
            for (const e of expected) assert.ok(got.includes(e), `missing:\n  ${e}\ngot:\n  ${got.join("\n  ")}`);
            if (cfg.family === "managed") assert.equal(got.length, expected.length, got.join("\n"));
        });
    }
});
