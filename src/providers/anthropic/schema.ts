import { isRecord } from '../../json/record.js';
import { pushAll } from '../../ir/push-all.js';

/**
 * JSON Schema → the subset Anthropic's structured outputs accept (`output_config.format`
 * and `strict: true` tools share it). The rules come from Anthropic's structured-outputs
 * guide, "JSON Schema limitations" (platform.claude.com/docs/en/build-with-claude/structured-outputs):
 *
 * - supported: the basic types, `enum` of strings/numbers/bools/nulls, `const`, `anyOf`,
 *   `allOf` (but not `allOf` with `$ref`), local `$ref` / `$defs` / `definitions`, `default`,
 *   `required`, `additionalProperties` only as `false` (required on objects), the formats
 *   date-time, time, date, duration, email, hostname, uri, ipv4, ipv6, uuid, `minItems` 0 or 1,
 *   and `pattern` without backreferences, lookaround, word boundaries or large `{n,m}`;
 * - refused with a 400: recursive schemas, complex enum values, external `$ref`, numeric
 *   and string constraints, other array constraints, open `additionalProperties`.
 *
 * As the guide recommends (and the official SDKs' `transformJSONSchema` does), a constraint
 * the API cannot enforce is moved into the schema's `description`, so the model still reads
 * it. That only loosens what the decoder enforces, so it is not reported: the guide names it
 * the expected handling. What makes outputs the client's schema allows impossible is
 * reported in `narrowed`, by keyword:
 * - `additionalProperties` / `patternProperties`: an open object or map is closed;
 * - `required`: a required key without a property schema (it relied on extra keys);
 * - `$ref`: a recursive definition is unrolled {@link MAX_RECURSIVE_EXPANSIONS} times, then
 *   the property (or `anyOf` branch) that would recurse further is left out.
 *
 * Never throws: any JSON value comes back as a schema (`{}` where nothing sensible remains).
 */
export interface AnthropicSchema {
  schema: Record<string, unknown>;
  narrowed: string[];
}

/** How many times one recursive definition is inlined inside itself (the guide gives no number). */
export const MAX_RECURSIVE_EXPANSIONS = 2;
/** Deeper nesting (hostile input) is cut to `{}` rather than risk the stack. */
const MAX_DEPTH = 64;
/** Schema nodes produced per call, a bound on inlining blow-up (a `$ref` DAG can double per level). */
const MAX_NODES = 5000;
/** Our reading of "large ranges" in `{n,m}`: bigger bounds go to the description. */
const MAX_PATTERN_REPEAT = 100;

const SUPPORTED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'uri', 'ipv4', 'ipv6', 'uuid']);
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
/** Keywords that constrain nothing: left out without a trace. */
const INERT = new Set(['$schema', '$id', '$comment']);
/** Keyword maps whose values are schemas (walked when looking for `$ref`). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas']);
const DEFINITION_KEYS = ['$defs', 'definitions'] as const;
const LOCAL_DEFINITION_REF = /^#\/(\$defs|definitions)\/([^/]+)$/;

/** Marks a schema that can match nothing here: its parent leaves it out. */
const PRUNED = Symbol('pruned');
type Result = Record<string, unknown> | typeof PRUNED;

interface Walk {
  root: unknown;
  /** Local refs whose target reaches itself again. */
  recursive: Set<string>;
  /** Refs being inlined, outermost first. */
  expanding: string[];
  /** `#/$defs/...` refs sent as `$ref`: their definitions go into the output. */
  keptRefs: Set<string>;
  narrowed: Set<string>;
  nodes: number;
}

export function toAnthropicSchema(input: unknown): AnthropicSchema {
  const walk: Walk = { root: input, recursive: findRecursiveRefs(input), expanding: [], keptRefs: new Set(), narrowed: new Set(), nodes: 0 };
  const top = transform(input, walk, 0, false);
  const schema = top === PRUNED ? {} : top;
  addDefinitions(schema, walk);
  return { schema, narrowed: [...walk.narrowed] };
}

/** Definitions reached through kept `$ref`s, themselves transformed (which may keep more refs). */
function addDefinitions(schema: Record<string, unknown>, walk: Walk): void {
  const done = new Set<string>();
  for (let pending = [...walk.keptRefs]; pending.length > 0; pending = [...walk.keptRefs].filter((ref) => !done.has(ref))) {
    for (const ref of pending) {
      done.add(ref);
      const match = LOCAL_DEFINITION_REF.exec(ref);
      const target = resolvePointer(walk.root, ref);
      if (!match || target === undefined) continue;
      const key = match[1] as string;
      const name = unescapeToken(match[2] as string);
      const definition = transform(target, walk, 1, false);
      if (name === undefined || definition === PRUNED) continue;
      if (!isRecord(schema[key])) defineOwn(schema, key, {});
      defineOwn(schema[key] as Record<string, unknown>, name, definition);
    }
  }
}

function transform(node: unknown, walk: Walk, depth: number, inAllOf: boolean): Result {
  if (node === false) return PRUNED;
  if (!isRecord(node) || depth > MAX_DEPTH || ++walk.nodes > MAX_NODES) return {};
  const { $ref: ref, ...rest } = node;
  if (typeof ref === 'string' && ref.startsWith('#')) return transformRef(ref, rest, walk, depth, inAllOf);
  // An external (or malformed) `$ref` cannot be fetched: what it meant stays in the description.
  return transformKeywords(ref === undefined ? rest : { ...rest, $ref: ref }, walk, depth);
}

/**
 * A `#/$defs/X` ref stays a ref when it can: it keeps the schema small. It is inlined when
 * it sits in an `allOf` (refused there), carries other keywords (which would be lost beside a
 * bare ref), points elsewhere in the document, or recurses (unrolled, then pruned).
 */
function transformRef(ref: string, siblings: Record<string, unknown>, walk: Walk, depth: number, inAllOf: boolean): Result {
  const target = resolvePointer(walk.root, ref);
  if (target === undefined) return transformKeywords({ ...siblings, $ref: ref }, walk, depth);
  const meaningful = Object.keys(siblings).filter((key) => !INERT.has(key) && !DEFINITION_KEYS.includes(key as '$defs'));
  if (LOCAL_DEFINITION_REF.test(ref) && isRecord(target) && !walk.recursive.has(ref) && !inAllOf && meaningful.length === 0) {
    walk.keptRefs.add(ref);
    return { $ref: ref };
  }
  if (walk.expanding.filter((open) => open === ref).length >= MAX_RECURSIVE_EXPANSIONS) {
    walk.narrowed.add('$ref');
    return PRUNED;
  }
  // The referring schema's own keywords win over the target's (a field's description over its type's).
  const merged = isRecord(target) ? { ...target, ...siblings } : meaningful.length === 0 ? target : siblings;
  walk.expanding.push(ref);
  const result = transform(merged, walk, depth + 1, false);
  walk.expanding.pop();
  return result;
}

function transformKeywords(node: Record<string, unknown>, walk: Walk, depth: number): Result {
  const out: Record<string, unknown> = {};
  /** Keywords the API refuses, kept for the description. */
  const notes: Record<string, unknown> = {};
  const note = (key: string, value: unknown) => defineOwn(notes, key, value);
  const type = node.type;
  const isObject = type === 'object' || (Array.isArray(type) && type.includes('object')) || (type === undefined && isRecord(node.properties));

  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case 'type':
        if (typeof value === 'string' && TYPES.has(value)) out.type = value;
        else if (Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string' && TYPES.has(entry))) out.type = [...new Set(value)];
        else note(key, value);
        break;
      case 'title':
      case 'description':
        if (typeof value === 'string') out[key] = value;
        else note(key, value);
        break;
      case 'default':
        out.default = value;
        break;
      case 'enum':
        if (Array.isArray(value) && value.length > 0 && value.every(isPrimitive)) out.enum = value;
        else note(key, value);
        break;
      case 'const':
        if (isPrimitive(value)) out.const = value;
        else note(key, value);
        break;
      case 'format':
        if (typeof value === 'string' && SUPPORTED_FORMATS.has(value)) out.format = value;
        else note(key, value);
        break;
      case 'pattern':
        if (typeof value === 'string' && isSupportedPattern(value)) out.pattern = value;
        else note(key, value);
        break;
      case 'minItems':
        if (value === 0 || value === 1) out.minItems = value;
        else note(key, value);
        break;
      case 'items': {
        if (!isRecord(value) && typeof value !== 'boolean') {
          note(key, value); // draft-4 tuples
          break;
        }
        const items = transform(value, walk, depth + 1, false);
        // Items that can match nothing allow only `[]`, which the API cannot say: keep arrays loose.
        if (items === PRUNED) note(key, value);
        else out.items = items;
        break;
      }
      case 'anyOf':
      case 'oneOf':
      case 'allOf': {
        if (!Array.isArray(value) || value.length === 0) {
          note(key, value);
          break;
        }
        const members = value.map((member) => transform(member, walk, depth + 1, key === 'allOf'));
        const kept = members.filter((member): member is Record<string, unknown> => member !== PRUNED);
        // An empty union, or an `allOf` with an impossible part, matches nothing.
        if (kept.length === 0 || (key === 'allOf' && kept.length < members.length)) return PRUNED;
        // `oneOf` is refused; as `anyOf` it only loses "exactly one", moot for disjoint branches.
        if (key === 'allOf') out.allOf = [...asArray(out.allOf), ...kept];
        else if (out.anyOf === undefined) out.anyOf = kept;
        else out.allOf = [...asArray(out.allOf), { anyOf: kept }];
        break;
      }
      case 'properties':
        if (!isObject || !isRecord(value)) note(key, value);
        break;
      case 'required':
        if (!isObject || !Array.isArray(value)) note(key, value);
        break;
      case 'additionalProperties':
      case 'patternProperties':
        // Objects are closed below; whatever these allowed is now refused.
        if (isObject && value !== false) walk.narrowed.add(key);
        break;
      case '$defs':
      case 'definitions':
        break; // read through `$ref` resolution; the used ones are emitted at the root
      default:
        if (!INERT.has(key)) note(key, value);
    }
  }

  if (isObject) {
    const properties: Record<string, unknown> = {};
    if (isRecord(node.properties)) {
      for (const [name, schema] of Object.entries(node.properties)) {
        const property = transform(schema, walk, depth + 1, false);
        if (property !== PRUNED) defineOwn(properties, name, property);
      }
    }
    out.properties = properties;
    if (Array.isArray(node.required)) {
      const names = node.required.filter((name): name is string => typeof name === 'string');
      out.required = [...new Set(names.filter((name) => Object.hasOwn(properties, name)))];
      // A required key with no property schema was allowed as an extra key; closed objects refuse it.
      const declared = isRecord(node.properties) ? node.properties : {};
      if (names.some((name) => !Object.hasOwn(declared, name))) walk.narrowed.add('required');
    }
    out.additionalProperties = false;
  }

  if (Object.keys(notes).length > 0) {
    const text = `Constraints: ${JSON.stringify(notes)}`;
    out.description = typeof out.description === 'string' && out.description !== '' ? `${out.description}\n\n${text}` : text;
  }
  return out;
}

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Regex features the guide lists as refused, or a pattern JavaScript cannot even compile. */
function isSupportedPattern(pattern: string): boolean {
  try {
    new RegExp(pattern);
  } catch {
    return false;
  }
  if (/\\[1-9]|\\k</.test(pattern)) return false; // backreferences
  if (/\(\?<?[=!]/.test(pattern)) return false; // lookahead, lookbehind
  if (/\\[bB]/.test(pattern)) return false; // word boundaries
  for (const [, low, high] of pattern.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) {
    if (Number(low) > MAX_PATTERN_REPEAT || (high !== undefined && high !== '' && Number(high) > MAX_PATTERN_REPEAT)) return false;
  }
  return true;
}

/** Own data property, safe for a key such as `__proto__` from client JSON. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A JSON Pointer fragment (`#/a/b~1c`, percent-encoded as a URI fragment) in `root`. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined; // anchors (`#name`) are not supported
  let node = root;
  for (const raw of ref.slice(2).split('/')) {
    const token = unescapeToken(raw);
    if (token === undefined) return undefined;
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(token)) node = node[Number(token)];
    else if (isRecord(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

function unescapeToken(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
  } catch {
    return undefined;
  }
}

/** Local refs from which the same ref can be reached again: recursive schemas. */
function findRecursiveRefs(root: unknown): Set<string> {
  const edges = new Map<string, string[]>();
  const pending = collectRefs(root, 0);
  for (let ref = pending.pop(); ref !== undefined; ref = pending.pop()) {
    if (edges.has(ref)) continue;
    const targetRefs = collectRefs(resolvePointer(root, ref), 0);
    edges.set(ref, targetRefs);
    pushAll(pending, targetRefs);
  }
  return refsOnCycles(edges);
}

/**
 * The refs that lie on a cycle of `edges` (a ref that can reach itself), in linear time:
 * Tarjan's strongly connected components, iterative so a chain of thousands of definitions
 * neither overflows the stack nor costs a search per ref (that was quadratic: 8,000 chained
 * $defs took 5 s).
 */
function refsOnCycles(edges: Map<string, string[]>): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const recursive = new Set<string>();
  let next = 0;
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    // Each frame: a ref and how many of its edges have been followed.
    const frames: Array<{ ref: string; edge: number }> = [{ ref: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames.at(-1)!;
      const targets = edges.get(frame.ref) ?? [];
      if (frame.edge < targets.length) {
        const target = targets[frame.edge++]!;
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          frames.push({ ref: target, edge: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.ref, Math.min(low.get(frame.ref)!, index.get(target)!));
        }
        continue;
      }
      frames.pop();
      const parent = frames.at(-1);
      if (parent) low.set(parent.ref, Math.min(low.get(parent.ref)!, low.get(frame.ref)!));
      if (low.get(frame.ref) !== index.get(frame.ref)) continue;
      // frame.ref roots a component: pop it; it is recursive if it has several refs, or a ref that points at itself.
      const component: string[] = [];
      for (let ref = stack.pop(); ref !== undefined; ref = stack.pop()) {
        onStack.delete(ref);
        component.push(ref);
        if (ref === frame.ref) break;
      }
      if (component.length > 1 || (edges.get(frame.ref) ?? []).includes(frame.ref)) for (const ref of component) recursive.add(ref);
    }
  }
  return recursive;
}

/** The local refs a schema applies (definition tables are skipped: they apply nothing). */
function collectRefs(node: unknown, depth: number): string[] {
  if (depth > MAX_DEPTH) return [];
  if (Array.isArray(node)) return node.flatMap((entry) => collectRefs(entry, depth + 1));
  if (!isRecord(node)) return [];
  const refs: string[] = typeof node.$ref === 'string' && node.$ref.startsWith('#') ? [node.$ref] : [];
  for (const [key, value] of Object.entries(node)) {
    if (DEFINITION_KEYS.includes(key as '$defs')) continue;
    if (SCHEMA_MAPS.has(key) && isRecord(value)) for (const schema of Object.values(value)) pushAll(refs, collectRefs(schema, depth + 1));
    else pushAll(refs, collectRefs(value, depth + 1));
  }
  return refs;
}
