/**
 * Just enough parsing to test the Dockerfile, docker-compose.yml and .env.example without a
 * Docker engine (there is none on the build machines) and without a YAML dependency.
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) return; // comments (and parser directives)
    if (pending === undefined) {
      if (trimmed === '') return;
      pending = { parts: [], line: i + 1 };
    }
    const continued = trimmed.endsWith('\\');
    pending.parts.push(continued ? trimmed.slice(0, -1).trim() : trimmed);
    if (!continued) {
      const joined = pending.parts.filter((p) => p !== '').join(' ');
      const m = /^(\S+)\s*(.*)$/s.exec(joined)!;
      out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!, line: pending.line });
      pending = undefined;
    }
  });
  return out;
}

/** The stages of a parsed Dockerfile, each with the instructions after its FROM. */
export function stages(instructions: readonly Instruction[]): Stage[] {
  const out: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      out.push({ image: words[0]!, name: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else {
      out.at(-1)?.instructions.push(ins);
    }
  }
  return out;
}

/** A JSON-form argument list (`["a", "b"]`), or undefined for the shell form. */
export function jsonForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) return undefined;
  return parsed;
}

export interface CopyInstruction {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

export function parseCopy(ins: Instruction): CopyInstruction {
  const words = jsonForm(ins.args) ?? ins.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

export type Yaml = string | Yaml[] | { [key: string]: Yaml };

/**
 * The YAML subset a compose file uses: block mappings, block sequences (of scalars or
 * mappings), flow sequences of scalars, quoted and plain scalars, comments. Not a YAML
 * parser; enough to read docker-compose.yml structurally.
 */
export function parseYamlSubset(text: string): Yaml {
  const lines = text
    .split(/\r?\n/)
    .map((raw) => raw.replace(/\s+#.*$/, ''))
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  let i = 0;

  const scalar = (s: string): Yaml => {
    const t = s.trim();
    if (t.startsWith('[') && t.endsWith(']')) {
      const inner = t.slice(1, -1).trim();
      return inner === '' ? [] : inner.split(',').map((p) => scalar(p) as string);
    }
    if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))
      return t.slice(1, -1);
    return t;
  };

  const block = (indent: number): Yaml => {
    if (lines[i]!.text.startsWith('- ') || lines[i]!.text === '-') {
      const seq: Yaml[] = [];
      while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('-')) {
        const item = lines[i]!.text.slice(1).trim();
        if (/^[^\s"'[{][^:]*:(\s|$)/.test(item)) {
          // A mapping inside a sequence item: re-read this line as a key at a deeper indent.
          lines[i] = { indent: indent + 2, text: item };
          seq.push(block(indent + 2));
        } else {
          i++;
          seq.push(scalar(item));
        }
      }
      return seq;
    }
    const map: { [key: string]: Yaml } = {};
    while (i < lines.length && lines[i]!.indent === indent) {
      const m = /^("[^"]*"|'[^']*'|[^:]+):(?:\s+(.*))?$/.exec(lines[i]!.text);
      if (m === null) throw new Error(`cannot read YAML line: ${lines[i]!.text}`);
      const key = scalar(m[1]!) as string;
      i++;
      if (m[2] !== undefined && m[2] !== '') map[key] = scalar(m[2]);
      else if (i < lines.length && lines[i]!.indent > indent) map[key] = block(lines[i]!.indent);
      else if (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('-'))
        map[key] = block(indent);
      else map[key] = '';
    }
    return map;
  };

  return lines.length === 0 ? {} : block(lines[0]!.indent);
}

/** `NAME=value` lines of a .env file; `# NAME=value` lines count as named but unset. */
export function parseEnvFile(text: string): { set: Map<string, string>; named: Set<string> } {
  const set = new Map<string, string>();
  const named = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const m = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(raw.trim());
    if (m === null) continue;
    named.add(m[2]!);
    if (m[1] === undefined) set.set(m[2]!, m[3]!);
  }
  return { set, named };
}
