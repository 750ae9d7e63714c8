/** Golden-file comparison; `UPDATE_GOLDEN=1` rewrites the files. */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function golden(name: string, actual: string): void {
    const file = join(__dirname, "golden", name);
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) {
        if (!existsSync(file) && process.env.CI) assert.fail(`golden file ${name} is missing (run with UPDATE_GOLDEN=1 and review it)`);
        writeFileSync(file, actual);
        return;
    }
    assert.equal(actual, readFileSync(file, "utf8"), `${name} differs from its golden file (UPDATE_GOLDEN=1 to accept)`);
}
