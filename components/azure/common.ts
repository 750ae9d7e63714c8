/** What every Azure building function receives, and the naming helpers they share. */
import type * as pulumi from "@pulumi/pulumi";
import type * as resources from "@pulumi/azure-native/resources";
import type { SelfManagedCloudSpec, CloudSpec } from "../../config/spec";
import { childName } from "../naming";
import type { Topology } from "../topology";
import { fitName, NAME_LIMITS } from "./names";
import { haTags } from "../tags";

export interface AzureContext {
    /** The component's name: prefix of every child name. */
    readonly name: string;
    readonly spec: SelfManagedCloudSpec;
    readonly cloud: CloudSpec;
    readonly topo: Topology;
    /** The component: parent of every resource. */
    readonly parent: pulumi.Resource;
    readonly resourceGroup: resources.ResourceGroup;
    /** The resource group's name (from the config), available once the group exists. */
    readonly resourceGroupName: pulumi.Output<string>;
}

/** Pulumi name of a child resource: `<cluster>-<parts>`. */
export function n(ctx: Pick<AzureContext, "name">, ...parts: string[]): string {
    return childName(ctx.name, ...parts);
}

/** The same name as Azure takes it for a resource kind (shortened deterministically when too long). */
export function azureName(ctx: Pick<AzureContext, "name">, kind: keyof typeof NAME_LIMITS, ...parts: string[]): string {
    return fitName(n(ctx, ...parts), NAME_LIMITS[kind]);
}

/**
 * A name known from the config, as an output of the resource it names: a child that takes it
 * is created after that resource (as with the provider's own `name` output), and it reads the
 * same in a preview as after creation.
 */
export function nameOf(resource: pulumi.CustomResource, name: string): pulumi.Output<string> {
    return resource.id.apply(() => name);
}

/** Resource group, location and tags every resource gets. */
export function placement(ctx: AzureContext, role?: string) {
    return {
        resourceGroupName: ctx.resourceGroupName,
        location: ctx.cloud.region,
        tags: haTags("dash", { cluster: ctx.spec.name, role: role || undefined }),
    };
}
