/**
 * The GCP secrets fetch (render/secrets-gcp.ts): golden text, the fragments that make it safe
 * (token on stdin, value into a root-only file, bounded retries) and its input checks. Running it
 * against a fake metadata server and Secret Manager, and shellcheck, are in
 * test/integration/gcp.test.ts.
 */
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { gcpFetchSecrets, secretAccessUrl } from "../../components/render/secrets-gcp";
import { golden } from "./golden";

const INPUT = { project: "acme-prod-1234", secretId: "hacluster-prod-control-plane" };

describe("render: GCP secrets fetch", () => {
    it("matches its golden file", () => {
        golden("gcp-fetch-secrets.sh", gcpFetchSecrets(INPUT));
    });

    it("reads the latest version of its own secret with the metadata server's token", () => {
        const s = gcpFetchSecrets(INPUT);
        assert.equal(secretAccessUrl(INPUT.project, INPUT.secretId), "https://secretmanager.googleapis.com/v1/projects/acme-prod-1234/secrets/hacluster-prod-control-plane/versions/latest:access");
        assert.ok(s.includes(`'${secretAccessUrl(INPUT.project, INPUT.secretId)}'`));
        assert.ok(s.includes("-H 'Metadata-Flavor: Google' 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token'"));
        assert.match(s, /base64\.b64decode\(json\.load\(sys\.stdin\)\["payload"\]\["data"\]\)/, "decodes the payload");
        assert.match(s, /^retry 30 10 hacluster_fetch_secrets$/m, "bounded retries: 30 reads, 10 s apart by default");
        assert.match(gcpFetchSecrets({ ...INPUT, attempts: 3, delaySeconds: 1 }), /^retry 3 1 hacluster_fetch_secrets$/m);
    });

    it("never puts the token or the value on a command line, in a log or in a non-root file", () => {
        const s = gcpFetchSecrets(INPUT);
        // The token only reaches printf (a bash builtin) and curl reads the header from stdin.
        const bearer = s.split("\n").filter((l) => l.includes("$token"));
        assert.deepEqual(
            bearer.map((l) => l.trim()),
            ["[[ -n $token ]] || return 1", `if ! (umask 077; printf 'Authorization: Bearer %s\\n' "$token" |`],
        );
        assert.match(s, /curl -fsS --max-time 30 -H @- /);
        // The value goes to a root-only file on tmpfs, is run, then removed; nothing echoes it.
        assert.match(s, /local file='\/run\/hacluster\/secrets\.sh'/);
        assert.match(s, /install -d -m 0700 '\/run\/hacluster'/);
        assert.match(s, /\(umask 077; printf/);
        assert.match(s, /bash "\$file" \|\| rc=\$\?\n  rm -f "\$file"/);
        assert.doesNotMatch(s, /cat "\$file"|echo "\$token"|set -x/);
        // Only a hacluster secrets script is run.
        assert.match(s, /if \[\[ \$\(head -n 1 "\$file"\) != '#!\/usr\/bin\/env bash' \]\]; then/);
    });

    it("takes another API base (Private Service Connect) and run directory", () => {
        const s = gcpFetchSecrets({ ...INPUT, apiUrl: "https://secretmanager-pscprod.p.googleapis.com/v1/", runDir: "/run/other" });
        assert.ok(s.includes("'https://secretmanager-pscprod.p.googleapis.com/v1/projects/acme-prod-1234/secrets/hacluster-prod-control-plane/versions/latest:access'"));
        assert.match(s, /local file='\/run\/other\/secrets\.sh'/);
    });

    const bad: [string, Parameters<typeof gcpFetchSecrets>[0], string][] = [
        ["project with capitals", { ...INPUT, project: "Acme" }, 'secrets-gcp: "Acme" is not a GCP project id'],
        ["project with a quote", { ...INPUT, project: "acme'; rm -rf /" }, `secrets-gcp: "acme'; rm -rf /" is not a GCP project id`],
        ["secret with a slash", { ...INPUT, secretId: "a/b" }, 'secrets-gcp: "a/b" is not a Secret Manager secret id ([A-Za-z0-9_-], at most 255)'],
        ["no attempts", { ...INPUT, attempts: 0 }, "secrets-gcp: attempts must be 1..1000, got 0"],
        ["fractional delay", { ...INPUT, delaySeconds: 1.5 }, "secrets-gcp: delaySeconds must be 1..600, got 1.5"],
        ["api with a query", { ...INPUT, apiUrl: "https://x.example/v1?a=b" }, 'secrets-gcp: apiUrl must be an http(s) URL without query, got "https://x.example/v1?a=b"'],
        ["relative run dir", { ...INPUT, runDir: "run/x" }, 'secrets-gcp: runDir must be an absolute path, got "run/x"'],
        ["run dir escaping", { ...INPUT, runDir: "/run/../etc" }, 'secrets-gcp: runDir must be an absolute path, got "/run/../etc"'],
    ];
    for (const [what, input, message] of bad) {
        it(`refuses ${what}`, () => assert.throws(() => gcpFetchSecrets(input), { message }));
    }

    it("embeds any valid project and secret id verbatim and quoted, exactly once in the request", () => {
        const project = fc.stringMatching(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
        const secret = fc.stringMatching(/^[A-Za-z0-9_-]{1,255}$/);
        fc.assert(
            fc.property(project, secret, (p, id) => {
                const s = gcpFetchSecrets({ project: p, secretId: id });
                const url = secretAccessUrl(p, id);
                assert.equal(s.split(`'${url}'`).length, 2);
            }),
            { numRuns: 200 },
        );
    });
});
