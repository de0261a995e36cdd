/**
 * Edits the top-level members of a JSON object *in its text*, so everything else in a
 * client's body (unknown fields, key order, number spelling, integers beyond 2^53)
 * reaches the provider byte for byte. JSON.parse + JSON.stringify would silently round
 * a `seed` of 12345678901234567890 and reorder nothing but lose `1.0`; this does not.
 *
 * Every function expects `text` to be a JSON object that JSON.parse has already accepted.
 */
interface MemberSpan {
  key: string;
  /** Index of the member's opening quote. */
  start: number;
  valueStart: number;
  /** Index just past the value. */
  valueEnd: number;
}

/** JSON's four whitespace characters (RFC 8259 section 2), by code unit: this walk runs over every proxied body. */
function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Returns the index just past the string literal starting at `i` (which must be a quote).
 * Jumps from quote to quote with indexOf: prompts are mostly string content, and this walk
 * runs over every proxied body.
 */
function skipString(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) return text.length;
    // A quote after an odd run of backslashes is escaped.
    let backslashes = 0;
    while (quote - backslashes - 1 > i && text.charCodeAt(quote - backslashes - 1) === 92) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Returns the index just past the JSON value starting at `i`. */
function skipValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return skipString(text, i);
  if (first !== '{' && first !== '[') {
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      // A number, true, false or null ends at whitespace, a comma or a closing bracket.
      if (isWhitespace(code) || code === 44 || code === 125 || code === 93) break;
    }
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 34) {
      i = skipString(text, i);
      continue;
    }
    // { and [ open a level, } and ] close one.
    if (code === 123 || code === 91) depth++;
    else if (code === 125 || code === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}

/** Where a text's object opens, and its top-level members in order. Shared between callers: never changed. */
interface MemberScan {
  open: number;
  members: readonly MemberSpan[];
}

/**
 * The last text scanned, with its scan: a proxied body is scanned for duplicate keys when it
 * arrives, and again when its model is set for the provider, the same text both times. Keyed by
 * the text's content (strings compare by value), so a scan is never used for another text. It
 * holds one text at most, the last.
 */
let lastScan: { text: string; scan: MemberScan } | undefined;

function topLevelMembers(text: string): MemberScan {
  if (lastScan !== undefined && lastScan.text === text) return lastScan.scan;
  const scan = scanMembers(text);
  lastScan = { text, scan };
  return scan;
}

function scanMembers(text: string): MemberScan {
  const open = skipWhitespace(text, 0);
  if (text[open] !== '{') throw new TypeError('not a JSON object');
  const members: MemberSpan[] = [];
  let i = skipWhitespace(text, open + 1);
  while (i < text.length && text[i] !== '}') {
    const start = i;
    const keyEnd = skipString(text, i);
    // Most keys hold no escape, and are their text between the quotes; JSON.parse reads the rest.
    const raw = text.slice(start + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(text.slice(start, keyEnd)) as string) : raw;
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, start, valueStart, valueEnd });
    i = skipWhitespace(text, valueEnd);
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
  }
  return { open, members };
}

/**
 * The first top-level key that appears twice, or undefined. JSON.parse keeps the last of
 * duplicates while a provider may read the first: a body with both could be routed and
 * priced as one model and served as another, so such bodies are refused.
 */
export function duplicateTopLevelKey(text: string): string | undefined {
  const seen = new Set<string>();
  for (const { key } of topLevelMembers(text).members) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}

/**
 * Sets top-level member `key` to the JSON text `valueJson`: its value is replaced where it
 * stands (JSON.parse keeps the last of duplicate keys, so the last one is replaced), or the
 * member is added first when absent.
 */
export function setMember(text: string, key: string, valueJson: string): string {
  const { open, members } = topLevelMembers(text);
  const existing = members.filter((m) => m.key === key).at(-1);
  if (existing) return text.slice(0, existing.valueStart) + valueJson + text.slice(existing.valueEnd);
  const member = `${JSON.stringify(key)}:${valueJson}`;
  return text.slice(0, open + 1) + member + (members.length > 0 ? ',' : '') + text.slice(open + 1);
}

/** The exact JSON text of top-level member `key`'s value (the last one, as JSON.parse reads it), or undefined. */
export function memberValueText(text: string, key: string): string | undefined {
  const member = topLevelMembers(text).members.filter((m) => m.key === key).at(-1);
  return member && text.slice(member.valueStart, member.valueEnd);
}

/** Removes every top-level member named `key`. */
export function removeMember(text: string, key: string): string {
  for (;;) {
    const { members } = topLevelMembers(text);
    const n = members.findIndex((m) => m.key === key);
    if (n === -1) return text;
    const m = members[n]!;
    const next = members[n + 1];
    const prev = members[n - 1];
    // Take the comma on whichever side has one, so the object stays valid.
    if (next) text = text.slice(0, m.start) + text.slice(next.start);
    else if (prev) text = text.slice(0, prev.valueEnd) + text.slice(m.valueEnd);
    else text = text.slice(0, m.start) + text.slice(m.valueEnd);
  }
}
