/**
 * `npm run synth -- --stack <stack> [--out <dir>] [--set <path>=<value> ...]`
 *
 * Runs the stack's program offline against mocks, writes `<out>/plan.json` and
 * `<out>/nodes/<node>/...` (default `out/<stack>`) and prints a short summary. On a bad config it
 * prints the collected problems to stderr, writes nothing and exits 1.
 */
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
    stack?: string;
    out?: string;
    project?: string;
    sets: string[];
    quiet: boolean;
    debug: boolean;
    help: boolean;
}

/** Parses the command line; throws with a usage message on a bad flag. */
export function parseArgs(argv: readonly string[]): CliArgs {
    const args: CliArgs = { sets: [], quiet: false, debug: false, help: false };
    for (let i = 0; i < argv.length; i++) {
        const raw = argv[i];
        const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
        const flag = eq > 0 ? raw.slice(0, eq) : raw;
        const value = (): string => {
            if (eq > 0) return raw.slice(eq + 1);
            const v = argv[++i];
            if (v === undefined) throw new Error(`${flag} needs a value`);
            return v;
        };
        switch (flag) {
            case "--stack":
            case "-s":
                args.stack = value();
                break;
            case "--out":
            case "-o":
                args.out = value();
                break;
            case "--project":
            case "-C":
                args.project = value();
                break;
            case "--set":
                args.sets.push(value());
                break;
            case "--quiet":
            case "-q":
                args.quiet = true;
                break;
            case "--debug":
                args.debug = true;
                break;
            case "--help":
            case "-h":
                args.help = true;
                break;
            default:
                throw new Error(`unknown argument ${JSON.stringify(raw)}`);
        }
    }
    return args;
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
