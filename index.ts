/**
 * The stack program: config → validated spec → one cluster component → outputs.
 * Config mistakes end the run before any resource exists, listing every problem (no stack trace).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, formatProblem, loadSpec, type LoadResult } from "./config";
import { createCluster } from "./components/cluster";

// The SDK tells secret from plain config here but leaves the function out of its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };

export = async () => {
    const config = new pulumi.Config("hacluster");
    const configKey = (key: string): "secret" | "plain" | "unset" => {
        const full = `hacluster:${key}`;
        if (pulumi.runtime.getConfig(full) === undefined) return "unset";
        return (sdkConfig.isConfigSecret?.(full) ?? true) ? "secret" : "plain";
    };
    let loaded: LoadResult;
    try {
        loaded = loadSpec(
            {
                profile: config.get("profile"),
                platform: config.get("platform"),
                family: config.get("family"),
                cluster: config.getObject("cluster"),
            },
            // Every key of the namespace, so a misspelt one (hacluster:profle) is an error, not ignored.
            { stack: pulumi.getStack(), configKey, keys: Object.keys(pulumi.runtime.allConfig()).filter((k) => k.startsWith("hacluster:")).map((k) => k.slice("hacluster:".length)) },
        );
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
    for (const w of loaded.warnings) pulumi.log.warn(formatProblem(w));
    const spec = loaded.spec;
    const keyName = spec.ssh?.privateKeySecret;
    const cluster = await createCluster(spec.name, spec, keyName ? { sshPrivateKey: config.requireSecret(keyName) } : {});
    return {
        endpoint: cluster.endpoint,
        kubeconfig: cluster.kubeconfig,
        nodes: cluster.nodes,
        failureTolerance: cluster.failureTolerance,
        ...(cluster.etcdBackupStore ? { etcdBackupStore: cluster.etcdBackupStore } : {}),
    };
};
