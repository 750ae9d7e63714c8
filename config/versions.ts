/**
 * Kubernetes releases this project supports: the ones whose real kubeadm judges every rendered
 * config in the tests and whose clusters the lab builds (lab/toolchain/versions.env), which are
 * also inside upstream's support window at this release (1.34 ended in 2026).
 * kubeadm's config API moved to v1beta4 in 1.31 (`extraArgs` became a list of {name, value}).
 */
export const OLDEST_MINOR = 36;
export const NEWEST_MINOR = 37;
/**
 * Managed clusters run the provider's Kubernetes: the provider refuses minors it no longer offers;
 * this window only keeps typos out (EKS, GKE and AKS offered 1.33–1.37 in December 2026).
 */
export const MANAGED_OLDEST_MINOR = 33;
export const V1BETA4_FROM_MINOR = 31;

export interface ParsedVersion {
    readonly major: number;
    readonly minor: number;
    readonly patch: number;
}

export function parseVersion(v: string): ParsedVersion | undefined {
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
    return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}
