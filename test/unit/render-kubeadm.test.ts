import { strict as assert } from "node:assert";
import { parseAllDocuments } from "yaml";
import { kubeadmApiVersion, kubeadmDocuments, renderKubeadmConfig, TOKEN_PLACEHOLDER, type KubeadmInput } from "../../components/render/kubeadm";
import { checkDocuments } from "./kubeadm-types";
import { golden } from "./golden";

const HASH = `sha256:${"ab".repeat(32)}`;

function input(over: Partial<KubeadmInput> = {}): KubeadmInput {
    return {
        clusterName: "dev",
        kubernetesVersion: "1.34.2",
        minor: 34,
        controlPlaneEndpoint: "api.dev.internal:6443",
        certSANs: ["api.dev.internal", "211.183.3.250", "211.183.3.251", "211.183.3.252", "localhost", "127.0.0.1"],
        podSubnet: "10.244.0.0/16",
        serviceSubnet: "10.96.0.0/12",
        dnsDomain: "cluster.local",
        etcd: { kind: "stacked", heartbeatIntervalMs: 100, electionTimeoutMs: 1000 },
        apiServerExtraArgs: {},
        maxPods: 110,
        node: { name: "master1", address: "211.183.3.100" },
        role: { kind: "init" },
        ...over,
    };
}

const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);

describe("render: kubeadm", () => {
    it("chooses the API version from the Kubernetes minor", () => {
        assert.equal(kubeadmApiVersion(30), "kubeadm.k8s.io/v1beta3");
        assert.equal(kubeadmApiVersion(31), "kubeadm.k8s.io/v1beta4");
        assert.equal(kubeadmApiVersion(35), "kubeadm.k8s.io/v1beta4");
    });

    const variants: [string, KubeadmInput][] = [
        ["kubeadm-init-v1beta4.yaml", input()],
        ["kubeadm-join-cp-v1beta4.yaml", input({ node: { name: "master2", address: "211.183.3.101" }, role: { kind: "join-control-plane", caCertHash: HASH } })],
        ["kubeadm-join-worker-v1beta4.yaml", input({ node: { name: "worker1", address: "211.183.3.110" }, role: { kind: "join-worker", caCertHash: HASH } })],
        ["kubeadm-init-external-v1beta4.yaml", input({ etcd: { kind: "external", endpoints: ["https://10.20.0.21:2379", "https://10.20.0.22:2379", "https://10.20.0.23:2379"] } })],
        ["kubeadm-init-v1beta3.yaml", input({ kubernetesVersion: "1.30.6", minor: 30, apiServerExtraArgs: { "audit-log-maxage": "30" } })],
        ["kubeadm-join-worker-v1beta3.yaml", input({ kubernetesVersion: "1.30.6", minor: 30, role: { kind: "join-worker", caCertHash: HASH } })],
    ];
    for (const [file, inp] of variants) {
        it(`${file}: matches its golden file and the upstream types`, () => {
            const text = renderKubeadmConfig(inp);
            golden(file, text);
            const docs = parse(text);
            assert.deepEqual(docs, kubeadmDocuments(inp).map((d) => JSON.parse(JSON.stringify(d))));
            checkDocuments(docs);
        });
    }

    it("init: endpoint, SANs, subnets, Node,RBAC and stacked etcd timings", () => {
        const [initCfg, cluster, kubelet] = parse(renderKubeadmConfig(input()));
        assert.equal(initCfg.kind, "InitConfiguration");
        assert.equal(initCfg.bootstrapTokens[0].token, TOKEN_PLACEHOLDER);
        assert.deepEqual(initCfg.localAPIEndpoint, { advertiseAddress: "211.183.3.100", bindPort: 6443 });
        assert.equal(cluster.controlPlaneEndpoint, "api.dev.internal:6443");
        assert.equal(cluster.kubernetesVersion, "v1.34.2");
        assert.deepEqual(cluster.apiServer.certSANs, input().certSANs);
        assert.deepEqual(cluster.networking, { podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/12", dnsDomain: "cluster.local" });
        const apiArgs = Object.fromEntries(cluster.apiServer.extraArgs.map((a: { name: string; value: string }) => [a.name, a.value]));
        assert.equal(apiArgs["authorization-mode"], "Node,RBAC");
        assert.equal(apiArgs["encryption-provider-config"], "/etc/kubernetes/enc/encryption-config.yaml");
        assert.equal(apiArgs["audit-policy-file"], "/etc/kubernetes/audit/policy.yaml");
        assert.equal(apiArgs.profiling, "false");
        assert.deepEqual(cluster.apiServer.extraVolumes.map((v: { name: string }) => v.name), ["encryption-config", "audit-policy", "audit-log"]);
        assert.deepEqual(cluster.etcd.local.extraArgs, [
            { name: "election-timeout", value: "1000" },
            { name: "heartbeat-interval", value: "100" },
        ]);
        assert.equal(kubelet.kind, "KubeletConfiguration");
        assert.equal(kubelet.cgroupDriver, "systemd");
        assert.equal(kubelet.maxPods, 110);
    });

    it("v1beta3 writes extraArgs as a map, v1beta4 as a list of {name, value}", () => {
        const v3 = parse(renderKubeadmConfig(input({ minor: 30, kubernetesVersion: "1.30.6" })))[1];
        const v4 = parse(renderKubeadmConfig(input()))[1];
        assert.equal(v3.apiServer.extraArgs["authorization-mode"], "Node,RBAC");
        assert.equal(v3.apiServer.extraArgs["audit-log-maxage"], "30");
        assert.ok(Array.isArray(v4.apiServer.extraArgs));
        assert.deepEqual(parse(renderKubeadmConfig(input({ minor: 30, kubernetesVersion: "1.30.6" })))[0].nodeRegistration.kubeletExtraArgs, { "node-ip": "211.183.3.100" });
    });

    it("join: discovery by token placeholder and CA hash; control planes advertise their own address", () => {
        const [join] = parse(renderKubeadmConfig(input({ node: { name: "master2", address: "211.183.3.101" }, role: { kind: "join-control-plane", caCertHash: HASH } })));
        assert.deepEqual(join.discovery.bootstrapToken, { apiServerEndpoint: "api.dev.internal:6443", token: TOKEN_PLACEHOLDER, caCertHashes: [HASH] });
        assert.deepEqual(join.controlPlane, { localAPIEndpoint: { advertiseAddress: "211.183.3.101", bindPort: 6443 } });
        assert.equal(join.timeouts.discovery, "10m0s");
        const [worker] = parse(renderKubeadmConfig(input({ role: { kind: "join-worker", caCertHash: HASH } })));
        assert.equal(worker.controlPlane, undefined);
    });

    it("external etcd: endpoints and the apiserver-etcd-client files", () => {
        const cluster = parse(renderKubeadmConfig(input({ etcd: { kind: "external", endpoints: ["https://10.20.0.21:2379"] } })))[1];
        assert.deepEqual(cluster.etcd.external, {
            endpoints: ["https://10.20.0.21:2379"],
            caFile: "/etc/kubernetes/pki/etcd/ca.crt",
            certFile: "/etc/kubernetes/pki/apiserver-etcd-client.crt",
            keyFile: "/etc/kubernetes/pki/apiserver-etcd-client.key",
        });
    });

    it("the type check rejects a v1beta3 map where v1beta4 wants a list (so it can fail)", () => {
        const docs = kubeadmDocuments(input());
        (docs[1] as any).apiServer.extraArgs = { "authorization-mode": "Node,RBAC" };
        assert.throws(() => checkDocuments(JSON.parse(JSON.stringify(docs))));
    });
});

describe("render: kubeadm for scaling-group workers", () => {
    it("leaves the node name and address to the instance", () => {
        const text = renderKubeadmConfig(input({ node: {}, role: { kind: "join-worker", caCertHash: HASH } }));
        golden("kubeadm-join-pool-v1beta4.yaml", text);
        const [join] = parse(text);
        assert.deepEqual(join.nodeRegistration, { criSocket: "unix:///var/run/containerd/containerd.sock" });
        checkDocuments(parse(text));
    });
    it("refuses a control plane without an address", () => {
        assert.throws(() => renderKubeadmConfig(input({ node: {} })), /a control plane needs its address/);
    });
});
