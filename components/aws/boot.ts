/**
 * What is AWS's own in a machine's boot (pure): secrets come from Secrets Manager with the
 * instance role, the endpoint is found by its Route 53 name (or a fixed address), snapshots go to
 * the stack's S3 bucket. The scripts themselves come from the shared builder (../scripts.ts).
 */
import type { SelfManagedCloudSpec } from "../../config/spec";
import { awsFetchSecrets } from "../render/secrets-aws";
import { readerName, type CloudNodes } from "../scripts";
import type { Topology } from "../topology";

/** Name of a role's secret in Secrets Manager (deterministic, so node scripts name it before it exists). */
export function secretName(cluster: string, role: string): string {
    return `hacluster/${cluster}/${role}`;
}

/** AWS's part of every node script; `bucket`: the snapshot bucket (omit for worker pools, which hold no member). */
export function awsNodes(spec: SelfManagedCloudSpec, topo: Topology, bucket?: string): CloudNodes {
    const region = spec.cloud.region;
    return {
        spec,
        topo,
        fetchSecrets: (reader) => awsFetchSecrets({ secretId: secretName(spec.name, readerName(reader)), region }),
        // Only set when the endpoint has a fixed address (kind direct/external); the NLB is found by DNS.
        endpointAddress: () => topo.endpoint.address,
        ...(bucket !== undefined ? { backups: (prefix) => ({ kind: "s3", bucket, region, prefix }) } : {}),
    };
}
