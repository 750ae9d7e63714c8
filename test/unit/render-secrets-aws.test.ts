/**
 * The AWS secrets fetch step (render/secrets-aws.ts): golden text, the fragments that carry its
 * guarantees (bounded retries, the value never printed or put on a command line, only a
 * hacluster secrets script is run, the CLI installed when missing), and refused inputs.
 * Its behaviour with a fake `aws`/`snap` and shellcheck on whole node scripts: test/integration/aws.test.ts.
 */
import { strict as assert } from "node:assert";
import { awsFetchSecrets, AWS_SECRETS_RUN_DIR } from "../../components/render/secrets-aws";
import { golden } from "./golden";

const INPUT = { secretId: "hacluster/prod/control-plane", region: "eu-west-1" };

describe("render: AWS secrets fetch step", () => {
    const text = awsFetchSecrets(INPUT);

    it("matches its golden file", () => golden("aws-fetch-secrets.sh", text));

    it("reads the named secret in the region with the instance's role, as text, bounded", () => {
        assert.match(text, /get-secret-value --region eu-west-1 --secret-id 'hacluster\/prod\/control-plane' --query SecretString --output text >"\$file"/);
        assert.match(text, /^retry 30 10 hacluster_fetch_secrets$/m, "30 reads, 10 s apart: 5 minutes for IAM propagation");
        assert.match(text, /^retry 5 15 hacluster_aws_cli$/m);
        assert.match(awsFetchSecrets({ ...INPUT, attempts: 3, delaySeconds: 2 }), /^retry 3 2 hacluster_fetch_secrets$/m);
        assert.doesNotMatch(text, /--profile|AWS_ACCESS_KEY|AWS_SECRET/, "no credentials of its own: the instance role");
    });

    it("keeps the value in a root-only file on tmpfs, runs it only if it is a secrets script, removes it", () => {
        assert.equal(AWS_SECRETS_RUN_DIR, "/run/hacluster");
        assert.match(text, /local file=\/run\/hacluster\/secrets\.sh rc=0\n {2}install -d -m 0700 \/run\/hacluster/);
        assert.match(text, /\(umask 077; hacluster_aws secretsmanager/);
        assert.match(text, /if \[\[ \$\(head -n 1 "\$file"\) != '#!\/usr\/bin\/env bash' \]\]; then/);
        assert.match(text, /bash "\$file" \|\| rc=\$\?\n {2}rm -f "\$file"\n {2}return "\$rc"/);
        // Never printed, never on a command line, never traced.
        assert.doesNotMatch(text, /cat "\$file"|echo "\$\(|bash -c|set -x|<<<|printf/);
        assert.match(awsFetchSecrets({ ...INPUT, runDir: "/tmp/x" }), /local file=\/tmp\/x\/secrets\.sh/);
    });

    it("uses an installed AWS CLI, else installs it: snap on Ubuntu (after seeding), apt elsewhere", () => {
        assert.match(text, /if command -v aws >\/dev\/null; then return 0; fi/);
        assert.match(text, /snap wait system seed\.loaded && snap install aws-cli --classic/);
        assert.match(text, /apt-get update -q && apt-get install -y -q awscli/);
        assert.match(text, /bin=\$\(command -v aws \|\| echo \/snap\/bin\/aws\)/, "cloud-init's PATH may lack /snap/bin");
        assert.match(text, /AWS_PAGER="" "\$bin" "\$@"/);
    });

    it("refuses inputs that would not be a secret id, a region or sane bounds", () => {
        const bad: [Partial<typeof INPUT> & Record<string, unknown>, RegExp][] = [
            [{ secretId: "x'; rm -rf /" }, /not a Secrets Manager secret name/],
            [{ secretId: "" }, /not a Secrets Manager secret name/],
            [{ region: "eu west 1" }, /not an AWS region/],
            [{ region: "EU-WEST-1" }, /not an AWS region/],
            [{ attempts: 0 }, /attempts must be 1\.\.1000/],
            [{ attempts: 1.5 }, /attempts must be 1\.\.1000/],
            [{ delaySeconds: 0 }, /delaySeconds must be 1\.\.600/],
            [{ runDir: "run/x" }, /runDir must be an absolute directory path/],
            [{ runDir: "/run/../etc" }, /runDir must be an absolute directory path/],
            [{ runDir: "/run/x y" }, /runDir must be an absolute directory path/],
        ];
        for (const [patch, message] of bad) assert.throws(() => awsFetchSecrets({ ...INPUT, ...patch }), message, JSON.stringify(patch));
        for (const region of ["us-east-1", "ap-southeast-4", "us-gov-west-1", "eu-central-2"]) assert.doesNotThrow(() => awsFetchSecrets({ ...INPUT, region }));
        assert.doesNotThrow(() => awsFetchSecrets({ ...INPUT, secretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hacluster/prod/worker-AbCdEf" }));
    });
});
