/**
 * What is GCP's own in a machine's boot (pure): secrets come from Secret Manager with the role's
 * service account, and where a node sends the endpoint name before it has joined:
 * - workers (and the first control plane): the internal load balancer's fixed address;
 * - joining control planes: the first control plane's address, not the load balancer. GCP's guest
 *   agent routes a passthrough load balancer's address to the backend itself (a local route on
 *   every member of its instance groups), so a joining control plane dialling the load balancer
 *   would reach its own, not yet running, API server. Once joined it answers the name itself.
 * The scripts themselves come from the shared builder (../scripts.ts).
 */
import type { SelfManagedCloudSpec } from "../../config/spec";
import { gcpFetchSecrets } from "../render/secrets-gcp";
import { readerName, type BackupStoreFor, type CloudNodes } from "../scripts";
import type { Topology } from "../topology";
import { secretId, type GcpRole } from "./names";

/** Where nodes reach the API before they have joined (see the file comment). */
export interface EndpointAddresses {
    /** The internal load balancer's fixed address (workers); unset when DNS answers for the endpoint. */
    readonly internal?: string;
    /** The first control plane's address (joining control planes). */
    readonly firstControlPlane: string;
}

/** GCP's part of every node script; `backups`: the snapshot bucket's store. */
export function gcpNodes(spec: SelfManagedCloudSpec, topo: Topology, addresses: EndpointAddresses, backups: BackupStoreFor): CloudNodes {
    const project = spec.cloud.project!;
    return {
        spec,
        topo,
        fetchSecrets: (reader) => gcpFetchSecrets({ project, secretId: secretId(spec.name, readerName(reader) as GcpRole) }),
        endpointAddress: (use) => (use === "join-control-plane" ? addresses.firstControlPlane : addresses.internal),
        backups,
    };
}
