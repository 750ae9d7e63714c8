/**
 * The API endpoint: a Standard internal load balancer whose frontend has the fixed address the
 * nodes' scripts name (offset 5 of the subnet), and with `cloud.publicEndpoint` also a Standard
 * public load balancer on a static, zone-redundant public IP for clients outside the network.
 * Each has an HTTPS probe of `/readyz` on 6443 (a control plane counts only once its API server
 * is ready, which also keeps a joining control plane from being sent its own, not yet running,
 * API) and one rule for the endpoint port over a backend pool the control planes' NICs join.
 *
 * Hairpin: Azure drops a flow from a backend VM to its own internal load balancer when the flow
 * is balanced back to that VM. Control planes therefore map the endpoint name to 127.0.0.1 once
 * they run an API server (render/node.ts: after init, after a successful join); before that they
 * are unhealthy in the probe, so their joins are balanced to the others.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { azureName, n, placement, type AzureContext } from "./common";
import { loadBalancerChildId, loadBalancerId } from "./names";
import { API_SERVER_PORT } from "./rules";

export interface AzureApiEndpoint {
    /** Backend pools the control planes' NICs join (internal, then public). */
    readonly backendPoolIds: pulumi.Output<string>[];
    /** The public IP's address (`cloud.publicEndpoint`). */
    readonly publicAddress?: pulumi.Output<string | undefined>;
    readonly loadBalancers: network.LoadBalancer[];
}

const FRONTEND = "api";
const POOL = "control-planes";
const PROBE = "readyz";

/** A Standard load balancer with one frontend, the control planes' pool, the /readyz probe and the API rule. */
function apiLoadBalancer(ctx: AzureContext, id: string, frontend: network.LoadBalancerArgs["frontendIPConfigurations"]): network.LoadBalancer {
    const lbName = azureName(ctx, "loadBalancer", id);
    // A rule names its frontend, pool and probe by id; the load balancer's own id is known from its name.
    const lb = ctx.resourceGroup.id.apply((rg) => loadBalancerId(rg, lbName));
    const ref = (kind: "frontendIPConfigurations" | "backendAddressPools" | "probes", child: string) => ({ id: lb.apply((l) => loadBalancerChildId(l, kind, child)) });
    return new network.LoadBalancer(
        n(ctx, id),
        {
            ...placement(ctx, "api"),
            loadBalancerName: lbName,
            sku: { name: "Standard", tier: "Regional" },
            frontendIPConfigurations: frontend,
            backendAddressPools: [{ name: POOL }],
            probes: [
                {
                    name: PROBE,
                    protocol: "Https",
                    port: API_SERVER_PORT,
                    requestPath: "/readyz",
                    intervalInSeconds: 5,
                    probeThreshold: 2,
                },
            ],
            loadBalancingRules: [
                {
                    name: "api",
                    protocol: "Tcp",
                    frontendPort: ctx.spec.endpoint.port,
                    backendPort: API_SERVER_PORT,
                    frontendIPConfiguration: ref("frontendIPConfigurations", FRONTEND),
                    backendAddressPool: ref("backendAddressPools", POOL),
                    probe: ref("probes", PROBE),
                    enableFloatingIP: false,
                    enableTcpReset: true,
                    // Long-lived watches: idle up to 30 minutes (the maximum), then a reset, not silence.
                    idleTimeoutInMinutes: 30,
                    // Egress is the NAT gateway's.
                    disableOutboundSnat: true,
                },
            ],
        },
        { parent: ctx.parent },
    );
}

export function createApiEndpoint(ctx: AzureContext, subnetId: pulumi.Input<string>, internalAddress: string): AzureApiEndpoint {
    const internal = apiLoadBalancer(ctx, "api-lb", [
        {
            name: FRONTEND,
            privateIPAddress: internalAddress,
            privateIPAllocationMethod: "Static",
            privateIPAddressVersion: "IPv4",
            subnet: { id: subnetId },
            // Zone-redundant frontend: it survives the loss of any listed zone.
            zones: [...ctx.cloud.zones],
        },
    ]);
    const pool = (lb: network.LoadBalancer) => lb.id.apply((id) => loadBalancerChildId(id, "backendAddressPools", POOL));
    if (!ctx.cloud.publicEndpoint) return { backendPoolIds: [pool(internal)], loadBalancers: [internal] };

    const ip = new network.PublicIPAddress(
        n(ctx, "api-ip"),
        {
            ...placement(ctx, "api"),
            publicIpAddressName: azureName(ctx, "publicIp", "api-ip"),
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
            zones: [...ctx.cloud.zones],
        },
        { parent: ctx.parent },
    );
    const external = apiLoadBalancer(ctx, "api-public-lb", [{ name: FRONTEND, publicIPAddress: { id: ip.id } }]);
    return { backendPoolIds: [pool(internal), pool(external)], publicAddress: ip.ipAddress, loadBalancers: [internal, external] };
}
