/**
 * `npm run synth -- --stack <stack> [--out <dir>] [--set <path>=<value> ...]`
 *
 * Runs the stack's program offline against mocks, writes `<out>/plan.json` and
 * `<out>/nodes/<node>/...` (default `out/<stack>`) and prints a short summary. On a bad config it
 * prints the collected problems to stderr, writes nothing and exits 1.
 */
import { parseArgs as parse } from "node:util";
import { isConfigError, runSynth, writeSynth } from "./synth";

const USAGE = `usage: npm run synth -- --stack <stack> [--out <dir>] [--set <path>=<value> ...] [--project <dir>] [--quiet] [--debug]

  --stack, -s <stack>   stack to synthesize (reads Pulumi.yaml and Pulumi.<stack>.yaml)
  --out, -o <dir>       output directory (default out/<stack>); replaced as a whole
  --set <path>=<value>  override a config value, e.g. --set cluster.workers.count=5,
                        --set hacluster:cluster.profile=ha, --set profile=dev (repeatable)
  --project <dir>       directory holding Pulumi.yaml (default: current directory)
  --quiet               print nothing on success
  --debug               print stack traces of unexpected errors
`;

export interface CliArgs {
    readonly stack?: string;
    readonly out?: string;
    readonly project?: string;
    readonly sets: string[];
    readonly quiet: boolean;
    readonly debug: boolean;
    readonly help: boolean;
}

const OPTIONS = {
    stack: { type: "string", short: "s" },
    out: { type: "string", short: "o" },
    project: { type: "string", short: "C" },
    set: { type: "string", multiple: true },
    quiet: { type: "boolean", short: "q" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

/** Parses the command line (node:util parseArgs); throws with a short message on a bad flag. */
export function parseArgs(argv: readonly string[]): CliArgs {
    let values: ReturnType<typeof parse<{ options: typeof OPTIONS; args: string[] }>>["values"];
    try {
        ({ values } = parse({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
    } catch (e) {
        const err = e as Error & { code?: string };
        if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new Error(`${/(--[\w-]+)/.exec(err.message)?.[1] ?? "an option"} needs a value`);
        throw new Error(`unknown argument: ${err.message}`);
    }
    return {
        ...(values.stack !== undefined ? { stack: values.stack } : {}),
        ...(values.out !== undefined ? { out: values.out } : {}),
        ...(values.project !== undefined ? { project: values.project } : {}),
        sets: values.set ?? [],
        quiet: values.quiet ?? false,
        debug: values.debug ?? false,
        help: values.help ?? false,
    };
}

async function main(argv: readonly string[]): Promise<number> {
    let args: CliArgs;
    try {
        args = parseArgs(argv);
    } catch (e) {
        process.stderr.write(`synth: ${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    if (args.help) {
        process.stdout.write(USAGE);
        return 0;
    }
    if (!args.stack) {
        process.stderr.write(`synth: --stack is required\n${USAGE}`);
        return 2;
    }
    try {
        const result = await runSynth({ stack: args.stack, projectDir: args.project, outDir: args.out, sets: args.sets, fastStacks: !args.debug });
        writeSynth(result, result.outDir);
        if (!args.quiet) process.stdout.write(result.summary);
        return 0;
    } catch (e) {
        if (isConfigError(e)) {
            process.stderr.write(`${e.message.trimEnd()}\n`);
        } else if (e instanceof Error) {
            process.stderr.write(`synth failed: ${args.debug ? (e.stack ?? e.message) : e.message}\n`);
        } else {
            process.stderr.write(`synth failed: ${String(e)}\n`);
        }
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`synth failed: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(1);
        },
    );
}
