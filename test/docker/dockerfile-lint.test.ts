/**
 * Lints the Dockerfile without a Docker engine with dockerfile-utils (the validator behind the
 * Dockerfile language server editors use): what `docker build` would refuse, with every optional
 * check (casing, single-quoted JSON, relative WORKDIR, repeated CMD or HEALTHCHECK, ...) raised to
 * an error. This project's own rules are in dockerfile-rules.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCKERFILE = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

const lint = (text: string) => validate(text, STRICT).map((d) => `Dockerfile:${d.range.start.line + 1}: ${d.message}`);

/** The Dockerfile with one exact piece of it replaced; fails loudly when the piece is gone. */
function broken(find: string | RegExp, replace: string): string {
  const changed = DOCKERFILE.replace(find, replace);
  if (changed === DOCKERFILE) throw new Error(`the Dockerfile no longer contains ${String(find)}; update this test`);
  return changed;
}

describe('Dockerfile syntax (dockerfile-utils)', () => {
  it('passes dockerfile-utils with every check an error', () => {
    expect(lint(DOCKERFILE)).toEqual([]);
  });

  it('dockerfile-utils catches what docker build would refuse', () => {
    expect(lint(broken(/^STOPSIGNAL .*$/m, 'STOPSIGNAL'))).toEqual([expect.stringMatching(/no arguments/)]);
    expect(lint(broken(/^EXPOSE .*$/m, 'EXPOSE 3000/xyz'))).toEqual([expect.stringMatching(/proto/i)]);
    expect(lint(broken('--interval=30s', '--interval=30'))).toEqual([expect.stringMatching(/missing unit/)]);
    expect(lint(broken(/^CMD \[.*$/m, "CMD ['node', 'dist/cli/main.js', 'start']"))).toEqual([expect.stringMatching(/single quotes/)]);
  });
});
