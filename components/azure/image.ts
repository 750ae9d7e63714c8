/** The machine image (pure): `cloud.image` as `publisher:offer:sku:version`, read without any API call. */

export interface ImageReference {
    readonly publisher: string;
    readonly offer: string;
    readonly sku: string;
    readonly version: string;
}

/** Canonical's Ubuntu 24.04 LTS (Gen2) when `cloud.image` is not set. Pin a version for reproducible nodes. */
export const DEFAULT_IMAGE = "Canonical:ubuntu-24_04-lts:server:latest";

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Parses `publisher:offer:sku:version`; throws a message naming the config path and the fix. */
export function parseImage(image: string = DEFAULT_IMAGE): ImageReference {
    const parts = image.split(":");
    if (parts.length !== 4 || !parts.every((p) => PART.test(p))) {
        throw new Error(
            `cluster.cloud.image: ${JSON.stringify(image)} is not an Azure image reference. ` +
                `Fix: write publisher:offer:sku:version, e.g. ${DEFAULT_IMAGE} (or a pinned version from \`az vm image list\`)`,
        );
    }
    const [publisher, offer, sku, version] = parts;
    return { publisher, offer, sku, version };
}
