import { describe, expect, it } from 'vitest';
import { anthropicChat } from '../../../../src/providers/anthropic/index.js';
import { toAnthropicSchema } from '../../../../src/providers/anthropic/schema.js';
import { chatRequest } from '../../../support/codec-helpers.js';
import { claudeModel } from './helpers.js';

const closed = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra, additionalProperties: false });

describe('toAnthropicSchema', () => {
  it('keeps the supported subset and moves the rest into descriptions', () => {
    const input = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      title: 'Person',
      properties: {
        age: { type: 'integer', minimum: 0, maximum: 150, description: 'Age in years' },
        name: { type: 'string', minLength: 1, maxLength: 40 },
        code: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
        slug: { type: 'string', pattern: '^(?!admin)\\w+$' },
        born: { type: 'string', format: 'date' },
        site: { type: 'string', format: 'uri-reference' },
        role: { type: 'string', enum: ['admin', 'user', null] },
        shape: { enum: [{ a: 1 }, 'x'] },
        address: { type: 'object', properties: { city: { type: 'string', default: 'Paris' } }, required: ['city'] },
        contact: { oneOf: [{ type: 'string', format: 'email' }, { type: 'null' }] },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5, uniqueItems: true },
        pets: { type: 'array', items: { $ref: '#/$defs/Pet' }, minItems: 2 },
        best: { $ref: '#/$defs/Pet', description: 'The favourite' },
      },
      required: ['age', 'name'],
      $defs: { Pet: { type: 'object', properties: { kind: { const: 'cat' } }, required: ['kind'] }, Unused: { type: 'string' } },
    };
    const pet = closed({ kind: { const: 'cat' } }, { required: ['kind'] });
    expect(toAnthropicSchema(input)).toEqual({
      schema: {
        type: 'object',
        title: 'Person',
        properties: {
          age: { type: 'integer', description: 'Age in years\n\nConstraints: {"minimum":0,"maximum":150}' },
          name: { type: 'string', description: 'Constraints: {"minLength":1,"maxLength":40}' },
          code: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
          slug: { type: 'string', description: 'Constraints: {"pattern":"^(?!admin)\\\\w+$"}' },
          born: { type: 'string', format: 'date' },
          site: { type: 'string', description: 'Constraints: {"format":"uri-reference"}' },
          role: { type: 'string', enum: ['admin', 'user', null] },
          shape: { description: 'Constraints: {"enum":[{"a":1},"x"]}' },
          address: closed({ city: { type: 'string', default: 'Paris' } }, { required: ['city'] }),
          contact: { anyOf: [{ type: 'string', format: 'email' }, { type: 'null' }] },
          tags: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Constraints: {"maxItems":5,"uniqueItems":true}' },
          pets: { type: 'array', items: { $ref: '#/$defs/Pet' }, description: 'Constraints: {"minItems":2}' },
          // A ref with its own description is inlined, so the description is kept.
          best: { ...pet, description: 'The favourite' },
        },
        required: ['age', 'name'],
        additionalProperties: false,
        $defs: { Pet: pet },
      },
      narrowed: [],
    });
  });

  it('reports what closing objects makes impossible', () => {
    const input = {
      type: 'object',
      properties: { scores: { type: 'object', additionalProperties: { type: 'number' } }, meta: { type: 'object', patternProperties: { '^x-': {} } } },
      required: ['scores', 'zip'],
      additionalProperties: true,
    };
    expect(toAnthropicSchema(input)).toEqual({
      schema: closed({ scores: closed({}), meta: closed({}) }, { required: ['scores'] }),
      narrowed: ['additionalProperties', 'patternProperties', 'required'],
    });
  });

  it('unrolls a recursive definition twice, then leaves the recursion out', () => {
    const input = {
      type: 'object',
      properties: { root: { $ref: '#/$defs/Node' } },
      $defs: { Node: { type: 'object', properties: { value: { type: 'string' }, next: { anyOf: [{ $ref: '#/$defs/Node' }, { type: 'null' }] } }, required: ['value'] } },
    };
    const leaf = closed({ value: { type: 'string' }, next: { anyOf: [{ type: 'null' }] } }, { required: ['value'] });
    const middle = closed({ value: { type: 'string' }, next: { anyOf: [leaf, { type: 'null' }] } }, { required: ['value'] });
    expect(toAnthropicSchema(input)).toEqual({ schema: closed({ root: middle }), narrowed: ['$ref'] });
  });

  it('leaves an array loose when its recursive items are cut, and handles a root self-reference', () => {
    const input = { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } } };
    const cut = closed({ name: { type: 'string' }, children: { type: 'array', description: 'Constraints: {"items":{"$ref":"#"}}' } });
    const once = closed({ name: { type: 'string' }, children: { type: 'array', items: cut } });
    expect(toAnthropicSchema(input)).toEqual({
      schema: closed({ name: { type: 'string' }, children: { type: 'array', items: once } }),
      narrowed: ['$ref'],
    });
  });

  it('finds recursion through a cycle of several definitions, and none in a long chain, in linear time', () => {
    // A -> B -> C -> A is recursive: unrolled twice like a self-reference, never forever.
    const cycle = {
      $ref: '#/$defs/A',
      $defs: {
        A: { type: 'object', properties: { b: { $ref: '#/$defs/B' } } },
        B: { type: 'object', properties: { c: { $ref: '#/$defs/C' } } },
        C: { type: 'object', properties: { a: { anyOf: [{ $ref: '#/$defs/A' }, { type: 'null' }] } } },
      },
    };
    expect(toAnthropicSchema(cycle).narrowed).toContain('$ref');
    // 20,000 chained definitions without a cycle: a search per ref (5 s at 8,000, quadratic)
    // would outlast the test's timeout; a linear pass finishes at once.
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) defs[`d${i}`] = i < 19_999 ? { $ref: `#/$defs/d${i + 1}` } : { type: 'string' };
    expect(toAnthropicSchema({ $defs: defs, $ref: '#/$defs/d0' }).schema).toBeDefined();
  });

  it('inlines refs inside allOf, merges oneOf beside anyOf, and drops false subschemas', () => {
    const input = {
      allOf: [{ $ref: '#/definitions/A' }, { type: 'object', properties: { b: false, c: true } }],
      anyOf: [{ type: 'string' }, false],
      oneOf: [{ type: 'string', maxLength: 2 }, { type: 'number' }],
      definitions: { A: { type: 'object', properties: { a: { type: 'number', multipleOf: 2 } } } },
    };
    expect(toAnthropicSchema(input)).toEqual({
      schema: {
        allOf: [closed({ a: { type: 'number', description: 'Constraints: {"multipleOf":2}' } }), closed({ c: {} }), { anyOf: [{ type: 'string', description: 'Constraints: {"maxLength":2}' }, { type: 'number' }] }],
        anyOf: [{ type: 'string' }],
      },
      narrowed: [],
    });
  });

  it('never throws on odd input', () => {
    for (const odd of [true, false, null, 'x', 42, [1, 2], {}]) expect(toAnthropicSchema(odd)).toEqual({ schema: {}, narrowed: [] });
    const input: unknown = JSON.parse(
      '{"type":["string","null","weird"],"properties":{"a":1},"items":[{"type":"string"}],"anyOf":"no","$ref":"https://example.com/s.json",' +
        '"format":7,"description":5,"enum":[],"pattern":"(unclosed","minItems":1}',
    );
    expect(toAnthropicSchema(input)).toEqual({
      schema: {
        minItems: 1,
        description:
          'Constraints: {"type":["string","null","weird"],"properties":{"a":1},"items":[{"type":"string"}],"anyOf":"no","format":7,"description":5,"enum":[],"pattern":"(unclosed","$ref":"https://example.com/s.json"}',
      },
      narrowed: [],
    });
    // Own `__proto__` keys from client JSON stay data, and a dangling local ref does not crash.
    const tricky: unknown = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"},"y":{"$ref":"#/$defs/missing"},"z":{"$ref":"#/$defs/a~1b"}},"$defs":{"a/b":{"type":"boolean"}}}');
    const result = toAnthropicSchema(tricky);
    expect(JSON.stringify(result.schema)).toBe(
      '{"type":"object","properties":{"__proto__":{"type":"string"},"y":{"description":"Constraints: {\\"$ref\\":\\"#/$defs/missing\\"}"},"z":{"$ref":"#/$defs/a~1b"}},"additionalProperties":false,"$defs":{"a/b":{"type":"boolean"}}}',
    );
    let deep: unknown = { type: 'string' };
    for (let i = 0; i < 5000; i++) deep = { anyOf: [deep] };
    expect(() => toAnthropicSchema(deep)).not.toThrow();
  });
});

describe('anthropicChat.encodeRequest with schemas', () => {
  const encode = (request: Parameters<typeof chatRequest>[0]) => {
    const { request: upstream, dropped } = anthropicChat.encodeRequest(chatRequest(request), claudeModel(), new Headers());
    return { body: JSON.parse(upstream.body) as Record<string, unknown>, dropped };
  };

  it('sends the transformed response schema and reports what it narrowed', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 1 }, extra: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['n'] };
    const { body, dropped } = encode({ responseFormat: { type: 'json_schema', name: 'answer', strict: true, schema } });
    expect(body.output_config).toEqual({
      format: { type: 'json_schema', schema: closed({ n: { type: 'integer', description: 'Constraints: {"minimum":1}' }, extra: closed({}) }, { required: ['n'] }) },
    });
    expect(dropped).toEqual(['responseFormat.schema:additionalProperties']);
  });

  it('transforms the schemas of strict tools only', () => {
    const parameters = { type: 'object', properties: { q: { type: 'string', maxLength: 100 } }, additionalProperties: { type: 'string' } };
    const { body, dropped } = encode({
      tools: [
        { name: 'search', parameters, strict: true },
        { name: 'loose', parameters },
        { name: 'bare', parameters: {}, strict: true },
      ],
    });
    expect(body.tools).toEqual([
      { name: 'search', input_schema: closed({ q: { type: 'string', description: 'Constraints: {"maxLength":100}' } }), strict: true },
      { name: 'loose', input_schema: parameters },
      { name: 'bare', input_schema: closed({}), strict: true },
    ]);
    expect(dropped).toEqual(['tools.parameters:additionalProperties']);
  });
});
