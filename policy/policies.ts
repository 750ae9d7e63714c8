/** The pack's policies, importable without starting the analyzer server (tests use this). */
import type { Policies } from "@pulumi/policy";
import { awsImdsv2 } from "./rules/aws-imdsv2";
import { disksEncrypted } from "./rules/disks-encrypted";
import { endpointHealthCheck } from "./rules/endpoint-health";
import { etcdQuorum } from "./rules/etcd-quorum";
import { haControlPlanes } from "./rules/ha-control-planes";
import { noPublicEtcdKubelet } from "./rules/no-public-etcd-kubelet";
import { secretsAreSecret } from "./rules/secrets";

export const PACK_NAME = "hacluster-ha";

export const policies: Policies = [haControlPlanes, etcdQuorum, endpointHealthCheck, noPublicEtcdKubelet, disksEncrypted, awsImdsv2, secretsAreSecret];

export { awsImdsv2, disksEncrypted, endpointHealthCheck, etcdQuorum, haControlPlanes, noPublicEtcdKubelet, secretsAreSecret };
