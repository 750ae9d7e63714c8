export { loadSpec, type LoadResult, type RawStackConfig } from "./load";
export { ConfigError, formatProblem, type Problem } from "./errors";
export type * from "./spec";
export { quorum, memberTolerance, zoneLoss, type ZoneGroup } from "./quorum";
export { V1BETA4_FROM_MINOR } from "./versions";
