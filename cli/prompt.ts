import { createInterface, emitKeypressEvents, type Interface } from 'node:readline';
import { usageError } from './errors.js';

/**
 * Questions on the terminal (on stderr, so stdout stays the command's output), with the password
 * not echoed. When stdin is not a terminal (a pipe, a script), each answer is the next line of
 * stdin instead, so `printf '%s\n' "$PASSWORD" | routerly login ...` works.
 */

let lines: AsyncIterator<string> | undefined;
let reader: Interface | undefined;

/** The next line of a piped stdin, or undefined at its end. One reader for every question, so none loses buffered lines. */
async function nextPipedLine(): Promise<string | undefined> {
  if (!lines) {
    reader = createInterface({ input: process.stdin, terminal: false });
    lines = reader[Symbol.asyncIterator]();
  }
  const next = await lines.next();
  return next.done ? undefined : next.value;
}

/** Lets the process end once the questions are asked: an open stdin reader would keep it alive. */
export function closePrompts(): void {
  reader?.close();
  reader = undefined;
  lines = undefined;
}

function requireAnswer(answer: string | undefined, what: string, flag: string): string {
  if (answer === undefined || answer === '') throw usageError(`no ${what} given: pass ${flag} or type it when asked`);
  return answer;
}

/** A visible question; `what` and `flag` name the answer and its flag in the error when none comes. */
export async function ask(question: string, what: string, flag: string): Promise<string> {
  if (!process.stdin.isTTY) return requireAnswer((await nextPipedLine())?.trim(), what, flag);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return requireAnswer(answer.trim(), what, flag);
  } finally {
    rl.close();
  }
}

/** A question whose answer is not echoed (passwords, keys). Ctrl-C ends the CLI (130), as at any prompt. */
export async function askHidden(question: string, what: string, flag: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return requireAnswer(await nextPipedLine(), what, flag);
  process.stderr.write(question);
  emitKeypressEvents(stdin);
  stdin.setRawMode(true);
  stdin.resume();
  const answer = await new Promise<string>((resolve) => {
    let typed = '';
    const onKey = (chunk: string | undefined, key: { name?: string; ctrl?: boolean; sequence?: string } | undefined) => {
      if (key?.ctrl && key.name === 'c') {
        stdin.setRawMode(false);
        process.stderr.write('\n');
        process.exit(130);
      }
      if (key?.name === 'return' || key?.name === 'enter' || (key?.ctrl && key.name === 'd')) {
        stdin.off('keypress', onKey);
        resolve(typed);
      } else if (key?.name === 'backspace') typed = typed.slice(0, -1);
      else if (chunk !== undefined && !key?.ctrl && !key?.name?.match(/^(up|down|left|right|escape|tab)$/)) typed += chunk;
    };
    stdin.on('keypress', onKey);
  });
  stdin.setRawMode(false);
  stdin.pause();
  process.stderr.write('\n');
  return requireAnswer(answer, what, flag);
}

/**
 * A secret from stdin (`--api-key-stdin`): all of a piped stdin without its final newline, or,
 * at a terminal, typed without echo.
 */
export async function readSecretFromStdin(what: string, flag: string): Promise<string> {
  if (process.stdin.isTTY) return askHidden(`${what}: `, what, flag);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (secret === '') throw usageError(`${flag}: stdin was empty`);
  return secret;
}
