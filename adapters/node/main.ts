import { runNodeServer } from './run.js';

/**
 * `npm start` without the CLI: the Node server with the process's environment (see run.ts).
 * The process receives SIGTERM/SIGINT directly, so a supervisor's stop drains it.
 */
await runNodeServer(process.env);
