/**
 * Compile-time guarantees, checked by the real compiler:
 * - the pack type-checks on its own (`policy/tsconfig.json`), as the Pulumi CLI compiles it with
 *   type checking on before serving it;
 * - every provider property the rules read exists in @pulumi/aws, @pulumi/gcp and
 *   @pulumi/azure-native with a compatible type, and the pack's cluster facts are the components'
 *   (`provider-shapes.ts`, which also proves the check catches a misspelled property).
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./plans";

const run = promisify(execFile);
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

async function tsc(project: string): Promise<string> {
    try {
        await run(process.execPath, [TSC, "--noEmit", "-p", project], { cwd: ROOT });
        return "";
    } catch (e) {
        return (e as { stdout?: string }).stdout ?? String(e);
    }
}

describe("policy: type checks", function () {
    this.timeout(120_000);

    it("the pack compiles standalone with its own tsconfig", async () => {
        assert.equal(await tsc("policy/tsconfig.json"), "");
    });

    it("the rules read real provider input names and the components' facts", async () => {
        assert.equal(await tsc("test/policy/tsconfig.shapes.json"), "");
    });
});
