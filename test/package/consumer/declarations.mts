// Every entry point of the package, for tsconfig.declarations.json to check their declarations.
import * as core from 'routerly';
import * as files from 'routerly/storage/files';
import * as kv from 'routerly/storage/kv';
import * as memory from 'routerly/storage/memory';
import * as node from 'routerly/node';

export const entryPoints = { core, files, kv, memory, node };
