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
