import { strict as assert } from "node:assert";
import { loadSpec } from "../../config";
import { buildTopology } from "../../components/topology";
import { host, seeds, seedsWith } from "./fixtures";

const topo = (cfg = seeds()) => buildTopology(loadSpec(cfg, { stack: "dev" }).spec);

describe("topology", () => {
    it("places the seeds' nodes with roles, zones and stable order", () => {
        const t = topo();
        assert.deepEqual(
            t.nodes.map((n) => `${n.role}:${n.name}@${n.zone}/${n.address}`),
            [
                "lb:lb-a@rack-a/211.183.3.251",
                "lb:lb-b@rack-b/211.183.3.252",
                "control-plane:master1@rack-a/211.183.3.100",
                "control-plane:master2@rack-b/211.183.3.101",
                "control-plane:master3@rack-c/211.183.3.102",
                "worker:worker1@rack-a/211.183.3.110",
                "worker:worker2@rack-b/211.183.3.111",
            ],
        );
        assert.deepEqual(t.etcdMembers.map((n) => n.name), ["master1", "master2", "master3"]);
    });

    it("puts every name and address a client may dial in the certificate SANs", () => {
        const t = topo(seedsWith({ endpoint: { extraSANs: ["k8s.example.com"] } }));
        assert.equal(t.endpoint.controlPlaneEndpoint, "api.dev.internal:6443");
        assert.equal(t.endpoint.address, "211.183.3.250");
        assert.deepEqual(t.endpoint.certSANs, ["api.dev.internal", "211.183.3.250", "211.183.3.251", "211.183.3.252", "k8s.example.com", "localhost", "127.0.0.1"]);
    });

    it("reports the failure tolerance of the seeds' HA placement", () => {
        const t = topo();
        assert.equal(t.tolerance.zones, 1);
        assert.equal(t.tolerance.etcdMembers, 1);
        assert.equal(t.tolerance.lbHosts, 1);
        assert.equal(t.tolerance.apiServers, 1);
        assert.ok(t.tolerance.notes.some((n) => n.includes("stacked etcd")));
    });

    it("external etcd: five members over three zones tolerate two members and one zone", () => {
        const hosts = [0, 1, 2, 3, 4].map((i) => host(`e${i}`, `211.183.3.${20 + i}`, ["rack-a", "rack-b", "rack-c"][i % 3]));
        const t = topo(seedsWith({ etcd: { topology: "external", hosts } }));
        assert.deepEqual(t.etcd.map((n) => n.role), ["etcd", "etcd", "etcd", "etcd", "etcd"]);
        assert.equal(t.tolerance.etcdMembers, 2);
        assert.equal(t.tolerance.zones, 1);
        assert.equal(t.tolerance.apiServers, 2);
    });

    it("direct endpoint: resolves to the first control plane and tolerates no API server loss", () => {
        const t = topo(seedsWith({ controlPlane: { hosts: [host("cp", "211.183.3.100")] }, endpoint: { kind: "direct", vip: undefined, lbHosts: [] } }, { profile: "dev" }));
        assert.equal(t.endpoint.address, "211.183.3.100");
        assert.equal(t.tolerance.apiServers, 0);
        assert.equal(t.lbs.length, 0);
    });

    it("external endpoint by DNS name: the name is the endpoint, nothing in /etc/hosts", () => {
        const t = topo(seedsWith({ endpoint: { kind: "external", address: "lb.example.com", vip: undefined, lbHosts: [] } }));
        assert.equal(t.endpoint.controlPlaneEndpoint, "lb.example.com:6443");
        assert.equal(t.endpoint.address, undefined);
        assert.ok(t.endpoint.certSANs.includes("api.dev.internal") && t.endpoint.certSANs.includes("lb.example.com"));
    });
});

describe("topology: clouds", () => {
    const cloudSpec = (platform: "aws" | "gcp" | "azure", extra: Record<string, any> = {}) => {
        const cloud = platform === "aws"
            ? { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
            : platform === "gcp"
              ? { region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "hacluster-example" }
              : { region: "westeurope", zones: ["1", "2", "3"] };
        return loadSpec({ profile: "ha", platform, cluster: { name: "c1", network: { nodeCidr: "10.0.0.0/16" }, kubernetes: { podSubnet: "10.64.0.0/12" }, controlPlane: { count: 3 }, workers: { count: 1000 }, cloud, ...extra } }, { stack: "t" }).spec;
    };

    it("AWS: one subnet per zone, control planes round-robin at fixed addresses, one pool over every subnet", () => {
        const t = buildTopology(cloudSpec("aws", { etcd: { topology: "external", count: 5 } }));
        assert.deepEqual(t.subnets.map((s) => `${s.zone}=${s.cidr}`), ["eu-west-1a=10.0.0.0/18", "eu-west-1b=10.0.64.0/18", "eu-west-1c=10.0.128.0/18"]);
        assert.deepEqual(t.controlPlanes.map((n) => `${n.name}@${n.zone}/${n.address}`), ["cp-1@eu-west-1a/10.0.0.10", "cp-2@eu-west-1b/10.0.64.10", "cp-3@eu-west-1c/10.0.128.10"]);
        assert.deepEqual(t.etcd.map((n) => n.address), ["10.0.0.30", "10.0.64.30", "10.0.128.30", "10.0.0.31", "10.0.64.31"]);
        assert.equal(t.pools.length, 1);
        assert.equal(t.pools[0].count, 1000);
        assert.equal(t.pools[0].instanceType, "m6i.large");
        assert.equal(t.pools[0].subnets.length, 3);
        assert.equal(t.endpoint.address, undefined, "the NLB is known by name");
        assert.equal(t.tolerance.zones, 1);
        assert.equal(t.tolerance.etcdMembers, 2);
    });

    it("GCP and Azure: one regional subnet and a fixed internal load balancer address in the SANs", () => {
        for (const p of ["gcp", "azure"] as const) {
            const t = buildTopology(cloudSpec(p));
            assert.deepEqual(t.subnets, [{ cidr: "10.0.0.0/16" }]);
            assert.deepEqual(t.controlPlanes.map((n) => n.address), ["10.0.0.10", "10.0.0.11", "10.0.0.12"]);
            assert.equal(t.endpoint.address, "10.0.0.5");
            assert.ok(t.endpoint.certSANs.includes("10.0.0.5"));
        }
        assert.equal(buildTopology(cloudSpec("azure")).pools[0].instanceType, "Standard_D4s_v5");
    });

    it("managed: no control planes of ours, pools over the zones", () => {
        const spec = loadSpec({ profile: "ha", platform: "aws", family: "managed", cluster: { name: "m1", cloud: { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }, workers: { pools: [{ name: "general", count: 6 }, { name: "batch", count: 2, zones: ["eu-west-1a"] }] } } }, { stack: "t" }).spec;
        const t = buildTopology(spec);
        assert.equal(t.controlPlanes.length, 0);
        assert.deepEqual(t.pools.map((p) => `${p.name}:${p.count}:${p.zones.join(",")}`), ["general:6:eu-west-1a,eu-west-1b,eu-west-1c", "batch:2:eu-west-1a"]);
        assert.equal(t.tolerance.apiServers, null);
        assert.equal(spec.family === "managed" && spec.managed.releaseChannel, "REGULAR");
    });
});

describe("placement: zone and spare subnets", () => {
    it("never overlap, for 1 to 7 zones", async () => {
        const { zoneSubnets, spareSubnets } = await import("../../config/placement");
        const { overlaps } = await import("../../config/net");
        for (let n = 1; n <= 7; n++) {
            const zones = Array.from({ length: n }, (_, i) => `z${i}`);
            const all = [...zoneSubnets("10.0.0.0/16", zones).map((s) => s.cidr), ...spareSubnets("10.0.0.0/16", zones)];
            assert.ok(spareSubnets("10.0.0.0/16", zones).length >= 1, `${n} zones leave a spare block`);
            for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i], all[j]), `${n} zones: ${all[i]} overlaps ${all[j]}`);
        }
    });
});
