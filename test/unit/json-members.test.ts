import { describe, expect, it } from 'vitest';
import { duplicateTopLevelKey, memberValueText, removeMember, setMember } from '../../src/json/members.js';

describe('setMember', () => {
  it('replaces a value in place and leaves every other byte alone', () => {
    const body = '{ "model" : "auto",\n  "seed": 12345678901234567890, "temperature": 1.0, "x": {"model": "inner"} }';
    const out = setMember(body, 'model', '"gpt-4o"');
    expect(out).toBe('{ "model" : "gpt-4o",\n  "seed": 12345678901234567890, "temperature": 1.0, "x": {"model": "inner"} }');
  });

  it('adds the member first when it is absent', () => {
    expect(setMember('{"a":1}', 'model', '"m"')).toBe('{"model":"m","a":1}');
    expect(setMember('{}', 'model', '"m"')).toBe('{"model":"m"}');
    expect(setMember('  { }', 'k', 'true')).toBe('  {"k":true }');
  });

  it('skips strings holding braces, quotes and escapes', () => {
    const body = '{"messages":[{"content":"a \\"}\\" {[ b"}],"model":"x"}';
    expect(JSON.parse(setMember(body, 'model', '"y"'))).toEqual({ messages: [{ content: 'a "}" {[ b' }], model: 'y' });
  });

  it('replaces the last of duplicate keys, the one JSON.parse reads', () => {
    expect(setMember('{"model":"a","model":"b"}', 'model', '"c"')).toBe('{"model":"a","model":"c"}');
  });

  it('handles keys with escapes and nested arrays of objects', () => {
    const body = '{"a\\u0062":[1,[2,{"c":"}"}]],"model":null}';
    expect(JSON.parse(setMember(body, 'model', '"m"'))).toEqual({ ab: [1, [2, { c: '}' }]], model: 'm' });
  });
});

describe('removeMember', () => {
  it.each([
    ['{"a":1,"usage":null,"b":2}', '{"a":1,"b":2}'],
    ['{"a":1,"usage":null}', '{"a":1}'],
    ['{"usage":null,"a":1}', '{"a":1}'],
    ['{"usage":null}', '{}'],
    ['{"usage":1,"a":{"usage":2},"usage":3}', '{"a":{"usage":2}}'],
    ['{"a":1}', '{"a":1}'],
  ])('%s -> %s', (input, expected) => {
    expect(removeMember(input, 'usage')).toBe(expected);
    expect(() => JSON.parse(removeMember(input, 'usage'))).not.toThrow();
  });
});

describe('memberValueText', () => {
  it('returns the exact text of the last member of that name, unrounded', () => {
    const text = '{"seed": 12345678901234567890, "a":{"b":[1, 2]}, "seed" : 1.0 }';
    expect(memberValueText(text, 'seed')).toBe('1.0');
    expect(memberValueText(text, 'a')).toBe('{"b":[1, 2]}');
    expect(memberValueText('{"seed":12345678901234567890}', 'seed')).toBe('12345678901234567890');
    expect(memberValueText(text, 'missing')).toBeUndefined();
  });
});

describe('duplicateTopLevelKey', () => {
  it.each([
    ['{"model":"a","model":"b"}', 'model'],
    ['{"stream":false,"x":1,"stream":true}', 'stream'],
    // Keys compare as JSON.parse reads them, escapes and all.
    ['{"model":"a","mo\\u0064el":"b"}', 'model'],
    ['{"a":{"k":1,"k":2},"b":[{"k":1},{"k":2}]}', undefined],
    ['{"s":"a \\" \\\\\\" quote","t":"\\\\"}', undefined],
    ['{"text":"\\"model\\":\\"b\\"","model":"a"}', undefined],
    ['{}', undefined],
    [' { "a" : 1 , "b" : 2 } ', undefined],
    // Every kind of JSON whitespace between tokens, and literals ended by each delimiter.
    ['\t{\r\n"n":-1.5e3\t,\n"t":true,"f":false}\r\n', undefined],
    ['{"n":1,"z":null\n,"n":[2]}', 'n'],
    ['{"\\u00e9":1,"\\u00e9":2}', '\u00e9'],
    ['{"é":1,"\\u00e9":2}', 'é'],
  ])('%s -> %s', (text, expected) => {
    JSON.parse(text);
    expect(duplicateTopLevelKey(text)).toBe(expected);
  });

  it('skips string content by quote jumps, so a megabyte body takes well under a millisecond per call', () => {
    const text = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(1_000_000) }], model2: 1 });
    expect(duplicateTopLevelKey(text)).toBeUndefined();
    expect(duplicateTopLevelKey(`${text.slice(0, -1)},"model":"b"}`)).toBe('model');
  });
});

describe('one text after another', () => {
  it('answers for each text itself, whatever was scanned before: same length, same keys in another order, or the same text again', () => {
    const a = '{"model":"aa","n":1,"stream":true}';
    const b = '{"n":1,"model":"bb","stream":true}';
    const c = '{"model":"aa","n":1,"model":"cc"}';
    expect(a.length).toBe(b.length);
    for (let round = 0; round < 2; round++) {
      expect(duplicateTopLevelKey(a)).toBeUndefined();
      expect(setMember(a, 'model', '"x"')).toBe('{"model":"x","n":1,"stream":true}');
      expect(memberValueText(b, 'model')).toBe('"bb"');
      expect(setMember(b, 'model', '"x"')).toBe('{"n":1,"model":"x","stream":true}');
      expect(duplicateTopLevelKey(c)).toBe('model');
      expect(setMember(c, 'model', '"x"')).toBe('{"model":"aa","n":1,"model":"x"}');
      // A copy of a text is the same text: its scan holds for both.
      const copy = [...a].join('');
      expect(removeMember(copy, 'n')).toBe('{"model":"aa","stream":true}');
      expect(memberValueText(a, 'stream')).toBe('true');
    }
  });
});
