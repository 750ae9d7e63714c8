/** One problem in a stack's configuration, phrased so a user can act on it. */
export interface Problem {
    /** Config path, e.g. `cluster.etcd.members`. */
    readonly path: string;
    /** What is wrong, with the offending value in it. */
    readonly message: string;
    /** How to fix it. */
    readonly fix: string;
}

/** Formats one problem as a single line: `<path>: <message>. Fix: <fix>`. */
export function formatProblem(p: Problem): string {
    return `${p.path}: ${p.message}. Fix: ${p.fix}`;
}

/** `a.b[0]["example.com/tier"]`: keys that are not plain names are quoted, as `--set` reads them back. */
export function joinPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((acc, seg) => {
        if (typeof seg === "number") return `${acc}[${seg}]`;
        const key = String(seg);
        if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${acc}[${JSON.stringify(key)}]`;
        return acc ? `${acc}.${key}` : key;
    }, "");
}

/** Quotes a config value inside a message. */
export function show(value: unknown): string {
    if (value === undefined) return "nothing";
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Thrown before any resource exists when the configuration is invalid; carries every problem
 * found. Entry points print {@link ConfigError.message} and exit non-zero, without a stack trace.
 */
export class ConfigError extends Error {
    constructor(readonly problems: readonly Problem[], readonly warnings: readonly Problem[] = []) {
        super(
            `The stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was created:\n` +
                problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}
