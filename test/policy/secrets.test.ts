/**
 * secrets-are-secret: the shipped plans keep every secret secret (their `"[secret]"` values reach
 * the policy as engine secrets); plain secrets steps, credential-named properties, PEM private
 * keys and kubeconfigs with credentials are remediated into secrets and reported.
 */
import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import { secretsAreSecret } from "../../policy/policies";
import { UNKNOWN_SENTINELS } from "../../policy/lib/engine";
import { SENSITIVE_KEY } from "../../policy/lib/secrets";
import type { Plan } from "../../synth/synth";
import { addResource, analyze, clonePlan, messages, resource, sdkUnknownSentinels, SECRET, wireIsSecret } from "./engine";
import { shippedPlans, type ShippedPlans } from "./plans";

const NAME = secretsAreSecret.name;
const FIX = "Fix: pass it through pulumi.secret(...) (or config set with --secret) so previews, logs and the state never show it";

const RSA_PEM = generateKeyPairSync("rsa", { modulusLength: 1024, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
const PKCS8_PEM = generateKeyPairSync("ed25519", { privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
const OPENSSH_PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://api.dev.internal:6443\n  name: dev\nusers:\n- name: admin\n  user:\n    client-key-data: ZmFrZQ==\n";

describe("policy: secrets-are-secret", () => {
    let plans: ShippedPlans;
    before(async function () {
        this.timeout(120_000);
        plans = await shippedPlans();
    });

    for (const stack of ["dev", "externalEtcd"] as const) {
        it(`passes the shipped stack ${stack}, checking every resource`, async () => {
            const plan = plans[stack];
            const o = await analyze(plan, [secretsAreSecret]);
            assert.deepEqual(o.violations, []);
            assert.deepEqual(o.remediations, []);
            assert.equal(o.notApplicable.size, 0);
            // The secrets steps really carry secrets in these plans.
            const steps = plan.resources.filter((r) => r.name.endsWith("-secrets"));
            assert.ok(steps.length >= 6);
            for (const s of steps) assert.equal(s.inputs.stdin, SECRET, s.name);
        });
    }

    it("rejects a secrets step whose stdin is plain, and makes it secret for the run", async () => {
        const plan = clonePlan(plans.dev);
        const step = resource(plan, "dev-master2-secrets");
        step.inputs.stdin = "#!/bin/bash\ninstall -m 0600 /dev/stdin /etc/kubernetes/pki/ca.key <<'EOF'\n...\nEOF\n";
        const o = await analyze(plan, [secretsAreSecret]);
        assert.deepEqual(messages(o, NAME), [
            "dev-master2-secrets: stdin of the secrets step dev-master2-secrets is not a secret: it carries CA keys and join tokens. Fix: wrap it in pulumi.secret(...)",
        ]);
        assert.equal(o.violations[0].enforcementLevel, "mandatory");
        assert.equal(o.remediations.length, 1);
        const after = o.remediations[0].props;
        assert.ok(wireIsSecret(after, ["stdin"]), "stdin is a secret after the remediation");
        assert.equal(after.create, step.inputs.create);
        assert.equal(after.delete, step.inputs.delete);
    });

    it("rejects a plain unknown stdin of a secrets step (secretness is known before the value)", async () => {
        const plan = clonePlan(plans.dev);
        resource(plan, "dev-lb-a-secrets").inputs.stdin = "[unknown]";
        assert.equal(messages(await analyze(plan, [secretsAreSecret]), NAME).length, 1);
    });

    it("rejects a plain PEM private key anywhere", async () => {
        const plan = clonePlan(plans.dev);
        const boot = resource(plan, "dev-master1-bootstrap");
        boot.inputs.stdin = `${boot.inputs.stdin as string}\ncat > /root/key.pem <<'EOF'\n${RSA_PEM}EOF\n`;
        addResource(plan, "tls:index/selfSignedCert:SelfSignedCert", "dev-extra-cert", { privateKeyPem: PKCS8_PEM, validityPeriodHours: 1, allowedUses: [] });
        addResource(plan, "command:remote:Command", "dev-copy-key", { create: "true", environment: { DEPLOY_KEY: OPENSSH_PEM } });
        assert.deepEqual(messages(await analyze(plan, [secretsAreSecret]), NAME), [
            `dev-master1-bootstrap: stdin holds a PEM private key (RSA PRIVATE KEY) in plain text. ${FIX}`,
            `dev-extra-cert: privateKeyPem holds a PEM private key (PRIVATE KEY) in plain text. ${FIX}`,
            `dev-copy-key: environment.DEPLOY_KEY holds a PEM private key (OPENSSH PRIVATE KEY) in plain text. ${FIX}`,
        ]);
    });

    it("accepts private keys and kubeconfigs that are secret, whole or inside a secret object", async () => {
        const plan = clonePlan(plans.dev);
        addResource(plan, "tls:index/selfSignedCert:SelfSignedCert", "dev-extra-cert", { privateKeyPem: SECRET, validityPeriodHours: 1, allowedUses: [] });
        addResource(plan, "command:remote:Command", "dev-other", { create: "true", connection: SECRET, stdin: SECRET });
        assert.deepEqual(messages(await analyze(plan, [secretsAreSecret]), NAME), []);
    });

    it("rejects credential-named properties and kubeconfigs in plain text, also base64-encoded", async () => {
        const plan: Plan = clonePlan(plans.dev);
        addResource(plan, "command:remote:Command", "dev-deploy", {
            create: "kubectl apply -f -",
            connection: { host: "10.0.0.1", user: "ops", privateKey: "not-a-pem-but-a-key" },
            environment: { KUBECONFIG_DATA: KUBECONFIG },
        });
        addResource(plan, "azure-native:compute:VirtualMachine", "dev-vm", { resourceGroupName: "rg", osProfile: { adminUsername: "ops", adminPassword: "hunter2" } });
        addResource(plan, "aws:ec2/instance:Instance", "dev-node", { ami: "ami-1", userData: Buffer.from(`#cloud-config\nwrite_files:\n- content: |\n${RSA_PEM}`).toString("base64") });
        addResource(plan, "gcp:compute/disk:Disk", "dev-disk", { diskEncryptionKey: { rawKey: "SGVsbG8gZnJvbSBHb29nbGUgQ2xvdWQgUGxhdGZvcm0=" } });
        assert.deepEqual(messages(await analyze(plan, [secretsAreSecret]), NAME), [
            `dev-deploy: connection.privateKey is named like a credential (privateKey) but is not a secret. ${FIX}`,
            `dev-deploy: environment.KUBECONFIG_DATA holds a kubeconfig with credentials in plain text. ${FIX}`,
            `dev-vm: osProfile.adminPassword is named like a credential (adminPassword) but is not a secret. ${FIX}`,
            `dev-node: userData holds a base64-encoded PEM private key (RSA PRIVATE KEY) in plain text. ${FIX}`,
            `dev-disk: diskEncryptionKey.rawKey is named like a credential (rawKey) but is not a secret. ${FIX}`,
        ]);
    });

    it("rejects the content of a cloud secret store entry that is not a Pulumi secret", async () => {
        const plan = clonePlan(plans.dev);
        addResource(plan, "aws:secretsmanager/secretVersion:SecretVersion", "dev-aws-secret", { secretId: "s", secretString: "files" });
        addResource(plan, "gcp:secretmanager/secretVersion:SecretVersion", "dev-gcp-secret", { secret: "s", secretData: SECRET });
        addResource(plan, "azure-native:keyvault:Secret", "dev-azure-secret", { resourceGroupName: "rg", vaultName: "v", properties: { value: "files" } });
        assert.deepEqual(messages(await analyze(plan, [secretsAreSecret]), NAME), [
            "dev-aws-secret: secretString is the content of a secret store entry (aws:secretsmanager/secretVersion:SecretVersion) but not a Pulumi secret. Fix: wrap it in pulumi.secret(...)",
            "dev-azure-secret: properties.value is the content of a secret store entry (azure-native:keyvault:Secret) but not a Pulumi secret. Fix: wrap it in pulumi.secret(...)",
        ]);
    });

    it("reports not applicable below level remediate (only a remediation sees secretness)", async () => {
        const plan = clonePlan(plans.dev);
        resource(plan, "dev-master2-secrets").inputs.stdin = "plain";
        const o = await analyze(plan, [secretsAreSecret], { [NAME]: { enforcementLevel: "mandatory" } });
        assert.deepEqual(o.violations, []);
        assert.equal(o.notApplicable.get(`${NAME} dev-master2-secrets`), "runs only at enforcement level remediate: only a remediation sees which values are secret");
    });

    it("names credentials narrowly", () => {
        for (const k of ["privateKey", "privateKeyPem", "caPrivateKeyPem", "privateKeyPemWo", "password", "adminPassword", "passphrase", "kubeconfig", "kubeConfigRaw", "client-key-data", "clientSecret", "diskEncryptionKeyRaw", "rawKey", "token", "bootstrapToken"]) {
            assert.ok(SENSITIVE_KEY.test(k), k);
        }
        for (const k of ["publicKey", "httpTokens", "tokenTtl", "disablePasswordAuthentication", "kmsKeyId", "keyName", "passwordLength", "secretName", "stdin", "create"]) {
            assert.ok(!SENSITIVE_KEY.test(k), k);
        }
    });

    it("knows the engine's unknown sentinels", () => {
        assert.deepEqual([...UNKNOWN_SENTINELS].sort(), sdkUnknownSentinels().sort());
    });
});
