/**
 * The CLI's exit codes and the one error type every command throws. Scripts branch on the code,
 * so each failure has exactly one, documented in `routerly --help` and the README.
 */
export const EXIT = {
  ok: 0,
  /** The gateway refused or failed the request, or could not be reached. */
  failed: 1,
  /** Bad flags or arguments, found before any request was sent. */
  usage: 2,
  /** Not logged in, the session expired or was revoked, or wrong email or password. */
  auth: 3,
  /** The model, project, token, user or role named does not exist. */
  notFound: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure to report in one line on stderr (`routerly: <message>`) and exit with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad flags or arguments (exit 2). */
export const usageError = (message: string) => new CliError(message, EXIT.usage);
/** Something named does not exist (exit 4). */
export const notFound = (message: string) => new CliError(message, EXIT.notFound);

/** The exit-code table, as `routerly --help` and the README show it. */
export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  the gateway refused or failed the request, or could not be reached (and a failed model test)
  2  usage error: bad flags or arguments (nothing was sent)
  3  not logged in, session expired, or wrong email or password
  4  not found: the model, project, token, user or role does not exist`;
