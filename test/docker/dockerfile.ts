/**
 * Reads the repository's Dockerfile into stages and instructions, the way BuildKit's Dockerfile
 * frontend does for what this project uses: parser directives, line continuations (comment lines
 * inside them dropped), shell and exec (JSON) form, `--flags`, and `$VAR` / `${VAR}` /
 * `${VAR:-default}` from ARG and ENV. Heredocs are refused rather than misread.
 *
 * The tests use it to lint the file (dockerfile-lint.test.ts) and to rebuild the image's layout in
 * a folder without a Docker engine (image-layout.test.ts).
 */

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, ... */
  keyword: string;
  /** 1-based line of the keyword, for messages. */
  line: number;
  /** Everything after the keyword, continuation lines joined with a space. */
  raw: string;
  /** Leading `--name=value` flags (`--link` alone is `'true'`). */
  flags: Record<string, string>;
  /** The arguments after the flags, as the frontend splits them (exec form: the JSON array). */
  args: string[];
  /** Whether the arguments were written in exec (JSON array) form. */
  execForm: boolean;
  /** The arguments after the flags, as written (the shell command of a shell-form RUN). */
  rest: string;
}

export interface Stage {
  index: number;
  /** The `AS` name, lower case as the frontend compares it. */
  name: string | undefined;
  /** The base image after ARG substitution. */
  base: string;
  line: number;
  instructions: Instruction[];
  /** ENV as declared in this stage so far (at the end: all of it), base image's own ENV excluded. */
  env: Record<string, string>;
  /** The last WORKDIR (absolute); '/' when none. */
  workdir: string;
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
  /** Every instruction in order, the ones before the first FROM included. */
  instructions: Instruction[];
}

const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

/** Joins continuation lines the way the frontend does. */
function logicalLines(text: string): Array<{ line: number; text: string }> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  // Parser directives: `# name=value` lines at the very top, before any comment or instruction.
  for (const line of lines) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!directive) break;
    if (directive[1]!.toLowerCase() === 'escape') escape = directive[2]!;
  }
  const out: Array<{ line: number; text: string }> = [];
  let current: { line: number; text: string } | undefined;
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    // A comment line is dropped, inside a continuation too; so is an empty line inside one.
    if (trimmed.startsWith('#') || (current && trimmed === '')) return;
    if (!current && trimmed === '') return;
    const continues = line.trimEnd().endsWith(escape);
    const body = continues ? line.trimEnd().slice(0, -escape.length) : line;
    current = current ? { line: current.line, text: `${current.text} ${body.trim()}` } : { line: index + 1, text: body.trim() };
    if (!continues) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

/** Shell-like word splitting of shell-form arguments: quotes group, backslash escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in: ${text}`);
  if (inWord) words.push(word);
  return words;
}

/** `$NAME`, `${NAME}` and `${NAME:-default}` from the given variables; unknown ones become ''. */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced, fallback, bare) => {
    const name = (braced ?? bare) as string;
    const value = vars[name];
    return value !== undefined && value !== '' ? value : ((fallback as string | undefined) ?? '');
  });
}

function parseInstruction(line: number, text: string): Instruction {
  const match = /^(\S+)\s*(.*)$/s.exec(text)!;
  const keyword = match[1]!.toUpperCase();
  let rest = match[2]!;
  if (/<<-?["']?[A-Za-z_]/.test(rest) && (keyword === 'RUN' || keyword === 'COPY')) {
    throw new Error(`Dockerfile line ${line}: heredocs are not supported by the tests' reader`);
  }
  const flags: Record<string, string> = {};
  if (FLAGGED.has(keyword)) {
    for (;;) {
      const flag = /^--([a-z-]+)(?:=("[^"]*"|\S*))?\s*/.exec(rest);
      if (!flag) break;
      // HEALTHCHECK's own flags stop at CMD/NONE; RUN's at the command, like the frontend.
      flags[flag[1]!] = flag[2] === undefined ? 'true' : flag[2].replace(/^"(.*)"$/, '$1');
      rest = rest.slice(flag[0].length);
    }
  }
  let args: string[];
  let execForm = false;
  const argText = keyword === 'HEALTHCHECK' ? rest.replace(/^CMD\s+/i, '') : rest;
  if (argText.trimStart().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(argText);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) {
        args = parsed as string[];
        execForm = true;
      } else args = splitWords(argText);
    } catch {
      // Not valid JSON: the frontend runs it as a shell command, which the lint test reports.
      args = splitWords(argText);
    }
  } else args = keyword === 'RUN' || keyword === 'CMD' || keyword === 'ENTRYPOINT' ? [argText] : splitWords(argText);
  return { keyword, line, raw: match[2]!, flags, args, execForm, rest };
}

/** ENV's `a=1 b="two words"` or legacy `a one value`. */
function envPairs(instruction: Instruction): Array<[string, string]> {
  const words = instruction.args;
  if (words.length > 0 && !words[0]!.includes('=')) return [[words[0]!, words.slice(1).join(' ')]];
  return words.map((word) => {
    const eq = word.indexOf('=');
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions = logicalLines(text).map(({ line, text: body }) => parseInstruction(line, body));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  let stageArgs: Record<string, string> = {};
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args;
      if (!image) throw new Error(`Dockerfile line ${instruction.line}: FROM without an image`);
      if (as !== undefined && (as.toUpperCase() !== 'AS' || !name)) throw new Error(`Dockerfile line ${instruction.line}: FROM <image> AS <name> expected`);
      stage = {
        index: stages.length,
        name: name?.toLowerCase(),
        base: substitute(image, globalArgs),
        line: instruction.line,
        instructions: [],
        env: {},
        workdir: '/',
      };
      stageArgs = {};
      stages.push(stage);
      continue;
    }
    if (!stage) {
      if (instruction.keyword !== 'ARG') throw new Error(`Dockerfile line ${instruction.line}: only ARG may come before the first FROM`);
      for (const word of instruction.args) {
        const eq = word.indexOf('=');
        if (eq === -1) globalArgs[word] = '';
        else globalArgs[word.slice(0, eq)] = word.slice(eq + 1);
      }
      continue;
    }
    const vars = { ...stageArgs, ...stage.env };
    if (instruction.keyword === 'ARG') {
      for (const word of instruction.args) {
        const eq = word.indexOf('=');
        // A global ARG redeclared without a value inherits the global default.
        if (eq === -1) stageArgs[word] = globalArgs[word] ?? '';
        else stageArgs[word.slice(0, eq)] = substitute(word.slice(eq + 1), vars);
      }
    } else if (instruction.keyword === 'ENV') {
      for (const [key, value] of envPairs(instruction)) stage.env[key] = substitute(value, vars);
    } else if (instruction.keyword === 'WORKDIR') {
      const dir = substitute(instruction.args[0] ?? '', vars);
      stage.workdir = dir.startsWith('/') ? dir : `${stage.workdir.replace(/\/$/, '')}/${dir}`;
    }
    stage.instructions.push(instruction);
  }
  return { globalArgs, stages, instructions };
}

/** A COPY's sources and destination, with the stage's variables substituted. */
export function copyPaths(instruction: Instruction, stage: Stage): { sources: string[]; dest: string } {
  const words = instruction.args.map((word) => substitute(word, stage.env));
  if (words.length < 2) throw new Error(`Dockerfile line ${instruction.line}: COPY needs a source and a destination`);
  return { sources: words.slice(0, -1), dest: words.at(-1)! };
}

/** The stage a COPY --from names (by AS name or index), or undefined for an image reference. */
export function stageNamed(file: Dockerfile, from: string): Stage | undefined {
  if (/^\d+$/.test(from)) return file.stages[Number(from)];
  return file.stages.find((stage) => stage.name === from.toLowerCase());
}
