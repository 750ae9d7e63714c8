import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { ConfigError, loadSpec } from "../../config";
import { memberTolerance, quorum, zoneLoss } from "../../config/quorum";
import { contains, overlaps } from "../../config/net";
import { host, seeds, seedsWith } from "./fixtures";

describe("config: good configs", () => {
    it("the seeds' HA cluster yields a fully defaulted spec", () => {
        const { spec, warnings } = loadSpec(seeds(), { stack: "dev" });
        assert.deepEqual(warnings, []);
        assert.equal(spec.name, "dev");
        assert.equal(spec.kubernetes.version, "1.37.2");
        assert.equal(spec.kubernetes.minor, 37);
        assert.equal(spec.controlPlane.count, 3);
        assert.equal(spec.etcd.topology, "stacked");
        assert.equal(spec.etcd.count, 3);
        assert.equal(spec.tolerance.zones, 1);
        assert.equal(spec.endpoint.kind, "vip");
        if (spec.endpoint.kind !== "vip") throw new Error("unreachable");
        assert.equal(spec.endpoint.dnsName, "api.dev.internal");
        assert.equal(spec.endpoint.vipPrefix, 24);
        assert.equal(spec.endpoint.virtualRouterId, 51);
        assert.deepEqual(spec.endpoint.haproxy, { healthPath: "/readyz", intervalMs: 500, fall: 2, rise: 2, maxConnections: 10000 });
    });

    const good: [string, ReturnType<typeof seeds>][] = [
        ["learning: one control plane, direct endpoint", seedsWith({ controlPlane: { hosts: [host("cp", "211.183.3.100")] }, workers: { hosts: [] }, endpoint: { kind: undefined, vip: undefined, lbHosts: [] } }, { profile: "learning" })],
        ["dev: one control plane with workers", seedsWith({ controlPlane: { hosts: [host("cp", "211.183.3.100")] }, endpoint: { kind: "direct", vip: undefined, lbHosts: [] } }, { profile: "dev" })],
        ["ha with external etcd over three zones", seedsWith({ etcd: { topology: "external", hosts: [host("e1", "211.183.3.21", "rack-a"), host("e2", "211.183.3.22", "rack-b"), host("e3", "211.183.3.23", "rack-c")] } })],
        ["ha with an external load balancer", seedsWith({ endpoint: { kind: "external", address: "lb.example.com", vip: undefined, lbHosts: [] } })],
        ["ha accepting zero zone tolerance in one room", seedsWith({ tolerance: { zones: 0 }, controlPlane: { hosts: [host("m1", "211.183.3.100"), host("m2", "211.183.3.101"), host("m3", "211.183.3.102")] } })],
        ["ha with five control planes", seedsWith({ controlPlane: { hosts: [0, 1, 2, 3, 4].map((i) => host(`m${i}`, `211.183.3.${100 + i}`, ["rack-a", "rack-b", "rack-c"][i % 3])) } })],
        ["the older supported minor", seedsWith({ kubernetes: { version: "1.36.3" } })],
        [
            "an air-gapped mirror on a private address",
            seedsWith({
                kubernetes: { cniManifestUrl: "http://10.0.0.5/cni/kube-flannel.yml" },
                mirror: {
                    packages: { url: "http://10.0.0.5/pkgs/core:/stable:/v{minor}/deb/", signingKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx\n-----END PGP PUBLIC KEY BLOCK-----\n" },
                    images: { repository: "10.0.0.5:5000", insecure: true },
                    etcd: { url: "http://mirror.lab.internal/etcd-v3.7.0-linux-amd64.tar.gz", sha256: "a".repeat(64) },
                },
            }),
        ],
        ["ssh key from a secret config key", seedsWith({ ssh: { agent: false, privateKeySecret: "sshPrivateKey" } })],
    ];
    for (const [name, cfg] of good) {
        it(name, () => {
            assert.doesNotThrow(() => loadSpec(cfg, { stack: "dev", configKey: () => "secret" }));
        });
    }

    it("warns, without failing, above 5 etcd members", () => {
        const hosts = Array.from({ length: 7 }, (_, i) => host(`e${i}`, `211.183.3.${20 + i}`, ["rack-a", "rack-b", "rack-c"][i % 3]));
        const { warnings } = loadSpec(seedsWith({ etcd: { topology: "external", hosts } }), { stack: "dev" });
        assert.deepEqual(warnings.map((w) => w.message), ["7 etcd members: every write waits for 4 acknowledgements"]);
    });
});

describe("config: properties", () => {
    it("quorum: a majority, and an even size never tolerates more than the odd size below it", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 99 }), (n) => {
                assert.ok(quorum(n) > n / 2 && quorum(n) <= n);
                if (n % 2 === 0) assert.equal(memberTolerance(n), memberTolerance(n - 1));
            }),
        );
    });

    it("zone loss: losing every zone is never tolerated, and spreading one member per zone tolerates a minority", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 4 }).map((k) => 2 * k + 1), (n) => {
                const zones = Array.from({ length: n }, (_, i) => `z${i}`);
                const loss = zoneLoss([{ what: "etcd members", zones, mustRemain: quorum(n) }]);
                assert.equal(loss.tolerated, memberTolerance(n));
                assert.ok(loss.tolerated < n);
            }),
        );
    });

    it("CIDR math agrees with itself: a subnet overlaps its parent and contains its first address", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 17, max: 30 }), (a, b, prefix) => {
                const child = `10.${a}.${b}.0/${prefix}`;
                const parent = `10.${a}.0.0/16`;
                assert.ok(overlaps(child, parent) && overlaps(parent, child));
                assert.ok(contains(parent, `10.${a}.${b}.0`));
                assert.ok(!overlaps(parent, `11.${a}.0.0/16`));
            }),
        );
    });

    it("any valid worker list under 254 hosts loads, and every host becomes a worker of the spec", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 60 }), (count) => {
                const hosts = Array.from({ length: count }, (_, i) => host(`w${i}`, `211.183.3.${i + 1}`, `rack-${"abc"[i % 3]}`));
                const cfg = seedsWith({
                    network: { nodeCidr: "211.183.0.0/16" },
                    workers: { hosts: hosts.map((h) => ({ ...h, address: h.address.replace("211.183.3.", "211.183.9.") })) },
                });
                const { spec } = loadSpec(cfg, { stack: "dev" });
                assert.equal(spec.workers.count, count);
            }),
            { numRuns: 25 },
        );
    });

    it("config errors are thrown as ConfigError, never as anything else, for arbitrary junk", () => {
        fc.assert(
            fc.property(fc.anything(), (junk) => {
                try {
                    loadSpec({ cluster: junk }, { stack: "dev" });
                } catch (e) {
                    assert.ok(e instanceof ConfigError, `threw ${String(e)}`);
                }
            }),
            { numRuns: 200 },
        );
    });
});
