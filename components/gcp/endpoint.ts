/**
 * The API endpoint: a regional internal passthrough TCP load balancer at the topology's fixed
 * address (a reserved internal address, offset 5 of the node subnet) in front of every control
 * plane's 6443: an internal forwarding rule, a regional backend service over one unmanaged
 * instance group per zone holding that zone's control planes, and a regional HTTPS health check
 * of /readyz on 6443 (anonymous access to /readyz is kubeadm's default; GCP does not verify the
 * certificate). Nodes map the endpoint name to this address in /etc/hosts, so no DNS is needed.
 *
 * With `cloud.publicEndpoint` an external passthrough load balancer is added for clients outside
 * the network: a reserved external address, its own regional backend service over the same
 * instance groups (passthrough backend services share groups when both balance by CONNECTION),
 * and an external forwarding rule. Its address goes into the API server certificate. Nodes keep
 * using the internal one: no hairpin through the internet and Cloud NAT, and the firewall needs
 * no NAT addresses. Passthrough keeps the client's address, so `cloud.apiAllowedCidrs` decides
 * who may connect from outside.
 *
 * Passthrough load balancers do not translate ports: the endpoint port is the API server's 6443.
 */
import * as compute from "@pulumi/gcp/compute";
import { addressAt, OFFSET } from "../../config/placement";
import { labels, n, type GcpContext } from "./common";
import type { Machine } from "./machines";
import type { Network } from "./network";
import { API_SERVER_PORT } from "./rules";

/** Health check of each API server: HTTPS GET /readyz on 6443, 2 of 10 s probes to change state. */
const HEALTH_CHECK = { path: "/readyz", port: API_SERVER_PORT, intervalSec: 10, timeoutSec: 5, healthyThreshold: 2, unhealthyThreshold: 2 } as const;

export interface EndpointAddresses {
    /** The internal load balancer's fixed address. */
    readonly internal: string;
    readonly internalAddress: compute.Address;
    /** The external load balancer's reserved address (publicEndpoint). */
    readonly external?: compute.Address;
}

/** The internal address of the load balancer: the topology's, or (publicEndpoint) the same offset of the subnet. */
function internalEndpointAddress(ctx: GcpContext): string {
    return ctx.topo.endpoint.address ?? addressAt(ctx.topo.subnets[0].cidr, OFFSET.endpoint);
}

/** Reserves the load balancers' addresses: before any machine boots, since certificates name them. */
export function reserveEndpointAddresses(ctx: GcpContext, net: Network): EndpointAddresses {
    const { spec, parent, project, region } = ctx;
    const internal = internalEndpointAddress(ctx);
    const internalAddress = new compute.Address(
        n(ctx, "api-ip"),
        {
            project,
            region,
            addressType: "INTERNAL",
            purpose: "GCE_ENDPOINT",
            subnetwork: net.subnetId,
            address: internal,
            description: `hacluster ${spec.name}: Kubernetes API (internal load balancer)`,
            labels: labels(ctx),
        },
        { parent },
    );
    const external = spec.cloud.publicEndpoint
        ? new compute.Address(
              n(ctx, "api-public-ip"),
              {
                  project,
                  region,
                  addressType: "EXTERNAL",
                  networkTier: "PREMIUM",
                  description: `hacluster ${spec.name}: Kubernetes API (external load balancer)`,
                  labels: labels(ctx),
              },
              { parent },
          )
        : undefined;
    return { internal, internalAddress, ...(external ? { external } : {}) };
}

export interface LoadBalancers {
    readonly healthCheck: compute.RegionHealthCheck;
    readonly groups: compute.InstanceGroup[];
    readonly internal: compute.ForwardingRule;
    readonly external?: compute.ForwardingRule;
}

/** The load balancer(s) in front of the control planes. */
export function createLoadBalancers(ctx: GcpContext, net: Network, addresses: EndpointAddresses, controlPlanes: readonly Machine[]): LoadBalancers {
    const { spec, parent, project, region } = ctx;
    const opts = { parent };
    const healthCheck = new compute.RegionHealthCheck(
        n(ctx, "api-hc"),
        {
            project,
            region,
            description: `hacluster ${spec.name}: API server /readyz`,
            checkIntervalSec: HEALTH_CHECK.intervalSec,
            timeoutSec: HEALTH_CHECK.timeoutSec,
            healthyThreshold: HEALTH_CHECK.healthyThreshold,
            unhealthyThreshold: HEALTH_CHECK.unhealthyThreshold,
            httpsHealthCheck: { port: HEALTH_CHECK.port, requestPath: HEALTH_CHECK.path },
        },
        opts,
    );
    // One unmanaged group per zone that has control planes (a group is zonal).
    const zones = [...new Set(controlPlanes.map((m) => m.node.zone))];
    const groups = zones.map(
        (zone) =>
            new compute.InstanceGroup(
                n(ctx, "api", zone),
                {
                    project,
                    zone,
                    network: net.networkId,
                    description: `hacluster ${spec.name}: control planes in ${zone}`,
                    instances: controlPlanes.filter((m) => m.node.zone === zone).map((m) => m.instance.id),
                },
                opts,
            ),
    );
    const backendService = (id: string, scheme: "INTERNAL" | "EXTERNAL") =>
        new compute.RegionBackendService(
            n(ctx, id),
            {
                project,
                region,
                description: `hacluster ${spec.name}: API servers (${scheme.toLowerCase()} passthrough)`,
                loadBalancingScheme: scheme,
                protocol: "TCP",
                healthChecks: healthCheck.id,
                // Passthrough backend services balance by connection; long watches stay where they are.
                backends: groups.map((g) => ({ group: g.id, balancingMode: "CONNECTION" })),
                connectionDrainingTimeoutSec: 30,
                sessionAffinity: "NONE",
            },
            opts,
        );
    const internal = new compute.ForwardingRule(
        n(ctx, "api"),
        {
            project,
            region,
            description: `hacluster ${spec.name}: Kubernetes API endpoint`,
            loadBalancingScheme: "INTERNAL",
            ipProtocol: "TCP",
            ipAddress: addresses.internalAddress.address,
            ports: [String(API_SERVER_PORT)],
            backendService: backendService("api-backend", "INTERNAL").id,
            network: net.networkId,
            subnetwork: net.subnetId,
            allowGlobalAccess: false,
            labels: labels(ctx),
        },
        opts,
    );
    const external = addresses.external
        ? new compute.ForwardingRule(
              n(ctx, "api-public"),
              {
                  project,
                  region,
                  description: `hacluster ${spec.name}: Kubernetes API endpoint (public)`,
                  loadBalancingScheme: "EXTERNAL",
                  ipProtocol: "TCP",
                  ipAddress: addresses.external.address,
                  portRange: String(API_SERVER_PORT),
                  backendService: backendService("api-public-backend", "EXTERNAL").id,
                  networkTier: "PREMIUM",
                  labels: labels(ctx),
              },
              opts,
          )
        : undefined;
    return { healthCheck, groups, internal, ...(external ? { external } : {}) };
}
