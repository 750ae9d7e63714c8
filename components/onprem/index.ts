/**
 * On-prem HA cluster on existing hosts, over SSH with @pulumi/command.
 *
 * Per node: a `secrets` step (root-only files, passed on stdin as a secret, never logged) and a
 * `bootstrap` step (the public node script on stdin). Order: LB hosts and external etcd in
 * parallel → etcd health → `kubeadm init` on the first control plane → the other control planes
 * one at a time (each etcd member is added alone) → workers in parallel. Every joining node also
 * gets a `token` step (fresh join token, so late additions still join) and a `member` step on the
 * first control plane whose delete drains and deletes the node before the node's own delete runs
 * `kubeadm reset`. Unchanged inputs mean no command runs on a second `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as remote from "@pulumi/command/remote";
import type { OnPremClusterSpec, VipEndpointSpec } from "../../config/spec";
import { childName } from "../naming";
import { ClusterPki } from "../pki";
import { ETCD_DEFAULTS } from "../render/etcd";
import { KEEPALIVED_DEFAULTS, renderVrrpAuth } from "../render/keepalived";
import { DISCOVERY_HASH_PLACEHOLDER, type KubeadmRole } from "../render/kubeadm";
import { controlPlaneSecretPaths, etcdMemberInputFor, etcdRelease, kubeadmClusterInput, prepareInput, withBackup } from "../scripts";
import { CHECK_SCRIPT, DISCOVERY_HASH_FILE, ETCD_PKI_DIR, VRRP_AUTH_FILE } from "../render/paths";
import {
    etcdHealthScript,
    etcdScript,
    initScript,
    joinScript,
    lbScript,
    nodeRegisteredScript,
    nodeRemovalScript,
    secretsScript,
    TOKEN_REFRESH_SCRIPT,
} from "../render/node";
import * as random from "@pulumi/random";
import type { NodeFile } from "../render/script";
import { buildTopology, type Topology, type TopologyNode } from "../topology";
import { clusterFacts, clusterOutputs, type ClusterOutputs, type NodeSummary } from "../outputs";

export interface OnPremClusterArgs {
    /** A validated spec from `loadSpec` with `platform: onprem`. */
    readonly spec: OnPremClusterSpec;
    /** SSH private key (a secret), when `spec.ssh.privateKeySecret` is used. */
    readonly sshPrivateKey?: pulumi.Input<string>;
    /** ssh-agent socket, when `spec.ssh.agent` is used. @default process.env.SSH_AUTH_SOCK */
    readonly sshAgentSocket?: string;
}

const RUN_AS_ROOT = "sudo -n bash -s";

export class OnPremCluster extends pulumi.ComponentResource implements ClusterOutputs {
    readonly endpoint: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly nodes: pulumi.Output<NodeSummary[]>;
    readonly failureTolerance: pulumi.Output<ClusterOutputs["failureTolerance"] extends pulumi.Output<infer T> ? T : never>;
    readonly topology: Topology;

    constructor(name: string, args: OnPremClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = args.spec;
        // The cluster's facts are this component's inputs, so policy packs can check the HA shape.
        super("hacluster:onprem:Cluster", name, { facts: clusterFacts(spec, buildTopology(spec)) }, opts);
        if (spec.platform !== "onprem") throw new pulumi.ResourceError(`OnPremCluster needs platform onprem, got ${spec.platform}`, this);
        const ssh = spec.ssh;
        if (!ssh) throw new pulumi.ResourceError("OnPremCluster needs spec.ssh", this);
        const agentSocket = ssh.agent ? (args.sshAgentSocket ?? process.env.SSH_AUTH_SOCK) : undefined;
        if (ssh.agent && !agentSocket && !pulumi.runtime.isDryRun()) {
            throw new pulumi.ResourceError("cluster.ssh.agent is true but SSH_AUTH_SOCK is not set: start ssh-agent and add your key", this);
        }
        if (ssh.privateKeySecret && args.sshPrivateKey === undefined) {
            throw new pulumi.ResourceError(`cluster.ssh.privateKeySecret is set but no key was passed to OnPremCluster`, this);
        }
        const privateKey = args.sshPrivateKey === undefined ? undefined : pulumi.secret(args.sshPrivateKey);

        const topo = buildTopology(spec);
        this.topology = topo;
        const n = (...parts: string[]) => childName(name, ...parts);
        const parent = { parent: this };
        const connection = (node: TopologyNode): remote.CommandArgs["connection"] => ({
            host: node.address,
            port: ssh.port,
            user: ssh.user,
            ...(privateKey ? { privateKey } : {}),
            ...(agentSocket ? { agentSocketPath: agentSocket } : {}),
            dialErrorLimit: 20,
            perDialTimeout: 15,
        });
        const command = (
            id: string,
            node: TopologyNode,
            args: Omit<remote.CommandArgs, "connection" | "addPreviousOutputInEnv">,
            dependsOn: pulumi.Resource[] = [],
            secretOutputs: string[] = [],
        ) =>
            new remote.Command(
                n(id),
                { connection: connection(node), addPreviousOutputInEnv: false, ...args },
                { parent: this, dependsOn, additionalSecretOutputs: secretOutputs },
            );
        const secrets = (node: TopologyNode, files: pulumi.Output<NodeFile[]>, remove: string) =>
            command(`${node.name}-secrets`, node, {
                create: RUN_AS_ROOT,
                stdin: pulumi.secret(files.apply((f) => secretsScript(node.name, f))),
                delete: remove,
                logging: "none",
            });

        const pki = new ClusterPki(
            n("pki"),
            {
                cluster: spec.name,
                externalEtcdMembers: topo.etcd.map((e) => ({ name: e.name, address: e.address })),
                protectCAs: spec.profile === "ha",
            },
            parent,
        );

        // --- endpoint: HAProxy + keepalived on the LB hosts ---
        const lbSteps: pulumi.Resource[] = [];
        if (spec.endpoint.kind === "vip") {
            const ep: VipEndpointSpec = spec.endpoint;
            // VRRPv2 authenticates adverts with a password (VRRPv3 has no authentication).
            const v2 = ep.keepalived.vrrpVersion === 2;
            const vrrpPassword = v2 ? new random.RandomPassword(n("vrrp-auth"), { length: 8, special: false }, parent) : undefined;
            const authFile = vrrpPassword && pulumi.secret(vrrpPassword.result.apply((p): NodeFile[] => [{ path: VRRP_AUTH_FILE, content: renderVrrpAuth(p), mode: "0600" }]));
            topo.lbs.forEach((lb, i) => {
                const peers = topo.lbs.filter((o) => o.name !== lb.name).map((o) => o.address);
                const s = authFile ? [secrets(lb, authFile, `sudo -n rm -f ${VRRP_AUTH_FILE}`)] : [];
                const script = lbScript({
                    node: lb.name,
                    zone: lb.zone,
                    haproxy: {
                        bindPort: ep.port,
                        backends: topo.controlPlanes.map((cp) => ({ name: cp.name, address: cp.address, port: 6443 })),
                        healthCheck: { path: ep.haproxy.healthPath, intervalMs: ep.haproxy.intervalMs, fall: ep.haproxy.fall, rise: ep.haproxy.rise },
                        maxconn: ep.haproxy.maxConnections,
                    },
                    keepalived: {
                        ...KEEPALIVED_DEFAULTS,
                        routerId: lb.name,
                        interface: ep.interface,
                        virtualRouterId: ep.virtualRouterId,
                        // The first LB host starts as MASTER; the others back it up in list order.
                        priority: 150 - 50 * i,
                        initialState: i === 0 ? "MASTER" : "BACKUP",
                        vrrpVersion: ep.keepalived.vrrpVersion,
                        advertIntervalSec: ep.keepalived.advertIntervalSec,
                        unicastSrcIp: lb.address,
                        unicastPeers: peers,
                        vip: ep.vip,
                        vipPrefix: ep.vipPrefix,
                        authIncludePath: VRRP_AUTH_FILE,
                        checkScriptPath: CHECK_SCRIPT,
                        check: {
                            ...KEEPALIVED_DEFAULTS.check,
                            intervalSec: ep.keepalived.checkIntervalSec,
                            fall: ep.keepalived.checkFall,
                            rise: ep.keepalived.checkRise,
                        },
                    },
                    check: { frontendPort: ep.port, apiPath: ep.haproxy.healthPath, timeoutSec: KEEPALIVED_DEFAULTS.check.timeoutSec },
                });
                lbSteps.push(
                    command(`${lb.name}-bootstrap`, lb, { create: RUN_AS_ROOT, stdin: script, delete: "sudo -n systemctl disable --now keepalived haproxy || true" }, s),
                );
            });
        }


        // --- external etcd ---
        const etcdReady: pulumi.Resource[] = [];
        if (topo.etcd.length > 0) {
            const boots = topo.etcd.map((e) => {
                const s = secrets(e, pki.etcdMemberFiles.get(e.name)!, `sudo -n rm -rf ${ETCD_PKI_DIR}`);
                const script = etcdScript({
                    node: e.name,
                    zone: e.zone,
                    etcd: etcdRelease(spec),
                    ...withBackup(spec, topo, e),
                    member: etcdMemberInputFor(spec, topo, e),
                });
                // Data is moved aside, not deleted, when a member is removed.
                const del = "sudo -n sh -c 'systemctl disable --now etcd; [ -d /var/lib/etcd ] && mv /var/lib/etcd /var/lib/etcd.removed-$(date +%s) || true'";
                return command(`${e.name}-bootstrap`, e, { create: RUN_AS_ROOT, stdin: script, delete: del }, [s]);
            });
            const endpoints = topo.etcd.map((e) => `https://${e.address}:${ETCD_DEFAULTS.clientPort}`);
            etcdReady.push(
                command(`etcd-health`, topo.etcd[0], { create: RUN_AS_ROOT, stdin: etcdHealthScript(endpoints, ETCD_PKI_DIR) }, boots),
            );
        }

        // --- control planes and workers ---
        const cluster = kubeadmClusterInput(spec, topo);
        const prepare = prepareInput(spec);
        const cpSecretFiles = controlPlaneSecretPaths(spec);
        const scriptFor = (node: TopologyNode, role: KubeadmRole): string => {
            const input = {
                node: node.name,
                zone: node.zone,
                prepare,
                kubeadm: { ...cluster, node: { name: node.name, address: node.address }, role },
                endpointHost: topo.endpoint.host,
                ...(topo.endpoint.address ? { endpointAddress: topo.endpoint.address } : {}),
                secretFiles: [...(node.role === "control-plane" ? cpSecretFiles : []), ...(role.kind === "init" ? [] : [DISCOVERY_HASH_FILE])],
                ...(spec.kubernetes.cniManifestUrl ? { cniManifestUrl: spec.kubernetes.cniManifestUrl } : {}),
                ...withBackup(spec, topo, node),
            };
            return role.kind === "init" ? initScript(input) : joinScript(input);
        };

        const [first, ...others] = topo.controlPlanes;
        const firstSecrets = secrets(first, pki.controlPlaneFiles, `sudo -n rm -rf /etc/hacluster/secrets`);
        const init = command(
            `${first.name}-bootstrap`,
            first,
            { create: RUN_AS_ROOT, stdin: scriptFor(first, { kind: "init" }), delete: "sudo -n kubeadm reset -f" },
            [firstSecrets, ...etcdReady],
        );

        // The CA's discovery hash reaches joining nodes with their secrets, not inside their script:
        // it is an output of the CA key, unknown before the first `up`, and a script holding it
        // could not be shown by `pulumi preview` (nor reviewed) on a new stack.
        const hashFile = pki.discoveryHash.apply((h): NodeFile => ({ path: DISCOVERY_HASH_FILE, content: `${h}\n`, mode: "0600" }));
        const withHash = (files: pulumi.Output<NodeFile[]>) => pulumi.secret(pulumi.all([files, hashFile]).apply(([f, h]) => [...f, h]));

        /** A node joining through the endpoint, with its token and membership steps on the first control plane. */
        const join = (node: TopologyNode, files: pulumi.Output<NodeFile[]>, after: pulumi.Resource[]) => {
            const s = secrets(node, withHash(files), `sudo -n rm -rf /etc/hacluster/secrets`);
            const token = command(`${node.name}-token`, first, { create: RUN_AS_ROOT, stdin: TOKEN_REFRESH_SCRIPT }, [init]);
            const kind = node.role === "control-plane" ? "join-control-plane" : "join-worker";
            const script = scriptFor(node, { kind, caCertHash: DISCOVERY_HASH_PLACEHOLDER });
            const boot = command(
                `${node.name}-bootstrap`,
                node,
                {
                    create: RUN_AS_ROOT,
                    stdin: script,
                    // kubeadm reset also removes a stacked etcd member from the cluster.
                    delete: "sudo -n sh -c 'kubeadm reset -f; rm -rf /etc/cni/net.d'",
                },
                [s, token, init, ...lbSteps, ...after],
            );
            // Deleted before the node's bootstrap: drain and delete while the node still runs.
            command(
                `${node.name}-member`,
                first,
                { create: RUN_AS_ROOT, stdin: nodeRegisteredScript(node.name), delete: `${RUN_AS_ROOT} <<'EOF'\n${nodeRemovalScript(node.name)}EOF` },
                [boot],
            );
            return boot;
        };

        // Control planes join one at a time: each stacked etcd member is added alone.
        let previous: pulumi.Resource = init;
        for (const cp of others) previous = join(cp, pki.controlPlaneFiles, [previous]);
        for (const w of topo.workers) join(w, pki.workerFiles, []);

        const kubeconfigCmd = command(
            "kubeconfig",
            first,
            { create: "sudo -n cat /etc/kubernetes/admin.conf", logging: "none" },
            [init],
            ["stdout"], // admin credentials: secret in the state, never logged
        );
        const outputs = clusterOutputs({
            spec,
            topology: topo,
            // admin.conf names the endpoint; outside the cluster, dial its address (in the certificate).
            rawKubeconfig: pulumi.secret(kubeconfigCmd.stdout),
        });
        this.endpoint = outputs.endpoint;
        this.kubeconfig = outputs.kubeconfig;
        this.nodes = outputs.nodes;
        this.failureTolerance = outputs.failureTolerance;
        this.registerOutputs({ endpoint: this.endpoint, kubeconfig: this.kubeconfig, nodes: this.nodes, failureTolerance: this.failureTolerance });
    }
}
