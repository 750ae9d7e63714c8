/**
 * The API endpoint: a network load balancer on the endpoint port in front of every control
 * plane's 6443, and a Route 53 private hosted zone that gives the endpoint name
 * (`api.<cluster>.internal`, the kubeadm `controlPlaneEndpoint`) to the VPC as an alias of it.
 *
 * Why a name of our own rather than the NLB's DNS name as `controlPlaneEndpoint`: the NLB's name
 * exists only once the NLB does, so every node's user-data would be unknown in a preview and
 * would change whenever the NLB is replaced. The endpoint name is known from the config; only the
 * first control plane's certificate SANs need the NLB's name (clients outside the VPC dial it).
 *
 * NLB settings: internal unless `cloud.publicEndpoint` (then at the fixed address offset 5 of each
 * node subnet, which placement reserves for the endpoint); cross-zone load balancing on (a zone
 * without a healthy control plane still answers); HTTPS health check of /readyz (anonymous
 * access to /readyz is kubeadm's default); client IP preservation off, so a control plane that
 * reaches the endpoint through the NLB (hairpin) is not dropped — control planes map the name to
 * themselves once joined anyway; a security group of its own (NLBs accept one only at creation).
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as lb from "@pulumi/aws/lb";
import * as route53 from "@pulumi/aws/route53";
import { addressAt, OFFSET } from "../../config/placement";
import { API_SERVER_PORT, n, tags, type AwsContext } from "./common";
import type { Network } from "./network";
import type { SecurityGroups } from "./security";

export interface ApiEndpoint {
    /** The NLB's DNS name, for the certificate SANs and the kubeconfig. */
    readonly dnsName: pulumi.Output<string>;
    readonly targetGroup: lb.TargetGroup;
    readonly loadBalancer: lb.LoadBalancer;
    /** Resources a node needs before it can reach the endpoint by name. */
    readonly ready: pulumi.Resource[];
}

const HEALTH_CHECK = { protocol: "HTTPS", path: "/readyz", intervalSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 2, timeoutSeconds: 5 } as const;

export function createApiEndpoint(ctx: AwsContext, net: Network, sgs: SecurityGroups): ApiEndpoint {
    const { spec, topo, parent } = ctx;
    const cloud = spec.cloud;
    const opts = { parent };
    if (cloud.publicEndpoint && net.publicSubnetIds.length === 0) {
        throw new pulumi.ResourceError(
            "cluster.cloud.publicEndpoint with an existing network: this stack does not know the network's public subnets. " +
                "Fix: set publicEndpoint: false and reach the internal NLB through your VPN or peering, or let the stack create the network",
            parent,
        );
    }
    const nlbName = n(ctx, "api-nlb");
    const nlb = new lb.LoadBalancer(
        nlbName,
        {
            loadBalancerType: "network",
            internal: !cloud.publicEndpoint,
            ...(cloud.publicEndpoint
                ? { subnets: net.publicSubnetIds }
                : // Inside the node subnets the NLB takes the address reserved for the endpoint (offset 5),
                  // so it never takes one of the fixed addresses control planes and etcd members boot with.
                  { subnetMappings: topo.subnets.map((s) => ({ subnetId: net.subnetId(s.zone!), privateIpv4Address: addressAt(s.cidr, OFFSET.endpoint) })) }),
            securityGroups: [sgs.api!.id],
            enableCrossZoneLoadBalancing: true,
            ipAddressType: "ipv4",
            tags: tags(ctx, nlbName),
        },
        opts,
    );
    const tgName = n(ctx, "api-tg");
    const targetGroup = new lb.TargetGroup(
        tgName,
        {
            vpcId: net.vpcId,
            targetType: "instance",
            protocol: "TCP",
            port: API_SERVER_PORT,
            preserveClientIp: "false",
            deregistrationDelay: 30,
            healthCheck: {
                enabled: true,
                protocol: HEALTH_CHECK.protocol,
                path: HEALTH_CHECK.path,
                port: "traffic-port",
                interval: HEALTH_CHECK.intervalSeconds,
                timeout: HEALTH_CHECK.timeoutSeconds,
                healthyThreshold: HEALTH_CHECK.healthyThreshold,
                unhealthyThreshold: HEALTH_CHECK.unhealthyThreshold,
            },
            tags: tags(ctx, tgName),
        },
        opts,
    );
    const listenerName = n(ctx, "api-listener");
    // A load balancer's and a target group's id is its ARN.
    const listener = new lb.Listener(
        listenerName,
        { loadBalancerArn: nlb.id, port: spec.endpoint.port, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: targetGroup.id }], tags: tags(ctx, listenerName) },
        opts,
    );

    // The zone is the endpoint name itself: it answers that one name and shadows nothing else.
    const zoneName = n(ctx, "api-zone");
    const zone = new route53.Zone(
        zoneName,
        {
            name: topo.endpoint.host,
            comment: `hacluster ${spec.name}: the Kubernetes API endpoint inside the VPC`,
            vpcs: [{ vpcId: net.vpcId, vpcRegion: cloud.region }],
            forceDestroy: true,
            tags: tags(ctx, zoneName),
        },
        opts,
    );
    const record = new route53.Record(
        n(ctx, "api-record"),
        {
            // A hosted zone's id is its zone id.
            zoneId: zone.id,
            name: topo.endpoint.host,
            type: "A",
            aliases: [{ name: nlb.dnsName, zoneId: nlb.zoneId, evaluateTargetHealth: false }],
        },
        opts,
    );
    return {
        // Empty only where the NLB's outputs are not modelled (offline mocks): it is always set once the NLB exists.
        dnsName: nlb.dnsName.apply((d) => d ?? ""),
        targetGroup,
        loadBalancer: nlb,
        ready: [listener, record],
    };
}

/** Registers the control planes with the NLB. */
export function attachControlPlanes(ctx: AwsContext, api: ApiEndpoint, instances: ReadonlyMap<string, ec2.Instance>): void {
    for (const [node, instance] of instances) {
        new lb.TargetGroupAttachment(n(ctx, "api-target", node), { targetGroupArn: api.targetGroup.id, targetId: instance.id, port: API_SERVER_PORT }, { parent: ctx.parent });
    }
}
