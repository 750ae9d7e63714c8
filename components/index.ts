/**
 * Public API for other stacks: load a spec from plain data, then build a cluster on a platform.
 *
 *     import { loadSpec, OnPremCluster } from "hacluster/components";
 *     const { spec } = loadSpec({ profile: "ha", cluster: { ... } }, { stack: pulumi.getStack() });
 *     const cluster = new OnPremCluster("prod", { spec, sshPrivateKey: cfg.requireSecret("sshKey") });
 */
export { loadSpec, ConfigError, formatProblem } from "../config";
export type { ClusterSpec, Problem, RawStackConfig } from "../config";
export { buildTopology } from "./topology";
export type { Topology, TopologyNode, Endpoint, FailureTolerance, Role } from "./topology";
export { ClusterPki, discoveryHash } from "./pki";
export type { ClusterPkiArgs } from "./pki";
export { OnPremCluster } from "./onprem";
export type { OnPremClusterArgs } from "./onprem";
export { createCluster } from "./cluster";
export type { ClusterOutputs, NodeSummary } from "./outputs";
export { childName } from "./naming";
