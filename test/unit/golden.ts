/** Golden-file comparison for renderer tests; `UPDATE_GOLDEN=1` rewrites the files instead. */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const GOLDEN = path.join(__dirname, "golden");

/** Compares with test/unit/golden/<name>; a missing file fails (run with UPDATE_GOLDEN=1 and review it). */
export function golden(name: string, actual: string): void {
    const file = path.join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN === "1") {
        fs.mkdirSync(GOLDEN, { recursive: true });
        fs.writeFileSync(file, actual);
        return;
    }
    assert.ok(fs.existsSync(file), `missing golden file ${file}: run with UPDATE_GOLDEN=1`);
    assert.equal(actual, fs.readFileSync(file, "utf8"), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`);
}
