#!/usr/bin/env node
// Placeholder until the CLI lands: `routerly start` runs the Node server.
if (process.argv[2] === 'start') await import('../adapters/node/main.js');
else {
  process.stderr.write('usage: routerly start\n');
  process.exit(2);
}
export {};
