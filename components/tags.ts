/**
 * hacluster's own tags and labels, spelled in one place. The spelling differs by provider:
 * GCP label keys allow neither `:` nor `/` (so GCP and Azure use `hacluster-<key>`), self-managed
 * AWS uses `hacluster:<key>` and EKS `hacluster/<key>`. Those two stay as they were: a re-spelled
 * key re-tags every resource of every existing stack.
 */

/** Which spelling a provider's resources carry. */
export type TagStyle = "aws" | "eks" | "dash";

/** What hacluster records on its resources. */
export type TagKey = "cluster" | "role" | "node" | "pool" | "zone";

const SEPARATOR: Record<TagStyle, string> = { aws: ":", eks: "/", dash: "-" };

/** A tag or label key, e.g. `hacluster:cluster`. */
function tagKey(style: TagStyle, key: TagKey): string {
    return `hacluster${SEPARATOR[style]}${key}`;
}

/** Tags (or labels) from values by key, in `style`'s spelling; undefined values are left out. */
export function haTags(style: TagStyle, values: Partial<Record<TagKey, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values) as [TagKey, string | undefined][]) if (v !== undefined) out[tagKey(style, k)] = v;
    return out;
}
