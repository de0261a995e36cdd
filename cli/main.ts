#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { authCommands } from './commands/auth.js';
import { budgetCommands } from './commands/budgets.js';
import { migrateCommand } from './commands/migrate.js';
import { modelCommands } from './commands/models.js';
import { observeCommands } from './commands/observe.js';
import { projectCommands } from './commands/projects.js';
import { roleCommands } from './commands/roles.js';
import { routingCommands } from './commands/routing.js';
import { settingsCommands } from './commands/settings.js';
import { startCommand } from './commands/start.js';
import { tokenCommands } from './commands/tokens.js';
import { usageCommands } from './commands/usage.js';
import { userCommands } from './commands/users.js';
import { CliError, EXIT, EXIT_CODE_HELP } from './errors.js';
import { cliVersion } from './version.js';

/**
 * `routerly`: the gateway's server (`start`) and its management API from a terminal. Every
 * failure ends in one line on stderr, `routerly: <message>`, and an exit code from errors.ts.
 */

const program = new Command('routerly')
  .description('Routerly, the self-hosted LLM gateway: run it, manage its models, projects, tokens, routing, budgets, users, roles and settings, and read its usage, call log and audit log.')
  .version(cliVersion(), '-V, --version', 'print the version')
  .helpOption('-h, --help', 'show help for a command (routerly <command> --help)')
  .addHelpText(
    'after',
    `
Start here:
  routerly start                                   serve on http://127.0.0.1:3000, data in ~/.routerly
  routerly setup                                   create the first admin (then you are logged in)
  routerly login http://127.0.0.1:3000             log in to a gateway; the session is saved 0600
  routerly model add gpt-4o-mini --provider openai --from-catalog --api-key-stdin
  routerly project create team-a --models gpt-4o-mini

Every command takes --json to print the API's answer as it came (commands whose answer is empty,
like remove, revoke and logout, print nothing and say it by the exit code).

${EXIT_CODE_HELP}`,
  )
  // Parse errors come back to us (exit 2 below), never as commander's own exit.
  .exitOverride()
  .configureOutput({ outputError: () => undefined })
  .showSuggestionAfterError(true);

startCommand(program);
authCommands(program);
modelCommands(program);
projectCommands(program);
tokenCommands(program);
routingCommands(program);
budgetCommands(program);
usageCommands(program);
observeCommands(program);
userCommands(program);
roleCommands(program);
settingsCommands(program);
migrateCommand(program);

/** Commander's message without its `error: ` prefix, on one line. */
function commanderMessage(error: CommanderError): string {
  return error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
}

function fail(message: string, code: number): void {
  process.stderr.write(`routerly: ${message}\n`);
  process.exitCode = code;
}

// `routerly ... | head` closes stdout early: that is the reader's choice, not a failure to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0; a command group run alone shows its help (exit 2).
    if (error.exitCode === 0) process.exitCode = 0;
    else if (error.code === 'commander.help') process.exitCode = EXIT.usage;
    else fail(commanderMessage(error), EXIT.usage);
  } else if (error instanceof CliError) fail(error.message, error.exitCode);
  else fail(error instanceof Error ? error.message : String(error), EXIT.failed);
}
