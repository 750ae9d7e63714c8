/**
 * Kubernetes releases this project renders and has checked its kubeadm configuration against.
 * kubeadm's config API moved to v1beta4 in 1.31 (`extraArgs` became a list of {name, value}).
 */
export const OLDEST_MINOR = 29;
export const NEWEST_MINOR = 35;
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
