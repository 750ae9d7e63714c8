/**
 * Public API for other stacks: validate a cluster description with {@link loadSpec}, then build it
 * with a platform's component. Cloud components live on their own subpaths (`hacluster/aws`,
 * `hacluster/gcp`, `hacluster/azure`, `hacluster/eks`, `hacluster/gke`, `hacluster/aks`) so a
 * stack loads only its own provider; {@link createCluster} picks one lazily from the spec.
 *
 *     import { loadSpec, OnPremCluster } from "hacluster";
 *     const { spec } = loadSpec({ profile: "ha", cluster: { ... } }, { stack: pulumi.getStack() });
 *     const cluster = new OnPremCluster("prod", { spec, sshPrivateKey: cfg.requireSecret("sshKey") });
 */
export { loadSpec, ConfigError, formatProblem } from "../config";
export type { ClusterSpec, LoadResult, Problem, RawStackConfig } from "../config";
export { buildTopology } from "./topology";
export type { Topology, TopologyNode, Endpoint, FailureTolerance, Role, PoolPlacement } from "./topology";
export { ClusterPki, discoveryHash } from "./pki";
export type { ClusterPkiArgs } from "./pki";
export { OnPremCluster } from "./onprem";
export type { OnPremClusterArgs } from "./onprem";
export { createCluster } from "./cluster";
export type { CreateClusterOptions } from "./cluster";
export type { ClusterFacts, ClusterOutputs, NodeSummary } from "./outputs";
export { childName } from "./naming";
