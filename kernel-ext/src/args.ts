/** A small argv parser: `--flag`, `--key value`, `--key=value` and positionals. */
export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | true>;
}

export class UsageError extends Error {
  override name = "UsageError";
}

/** `valued` lists the options that take a value; any other `--x` is a flag. */
export function parseArgs(argv: string[], valued: string[], flags: string[]): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const key = arg.slice(2, eq < 0 ? undefined : eq);
    if (valued.includes(key)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UsageError(`--${key} needs a value`);
      out.options[key] = value;
    } else if (flags.includes(key) && eq < 0) {
      out.options[key] = true;
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  return out;
}
