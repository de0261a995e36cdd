/**
 * Where a model's calls (and so its provider key) may go: the rules for a `baseUrl`, and the
 * address classes the Node adapter's outbound fetch applies again to what DNS answers.
 *
 * Hosts are taken as WHATWG `new URL()` gives them, which already turns every alternate
 * spelling of an IPv4 address (`2852039166`, `0xa9fea9fe`, `0251.0376.0251.0376`,
 * `169.254.43518`, a trailing dot) into dotted decimal, percent-decodes and lowercases names,
 * and compresses IPv6. What is left to do here: IPv6 forms that embed an IPv4 address
 * (`[::ffff:169.254.169.254]` becomes `[::ffff:a9fe:a9fe]`), and names with a trailing dot.
 */

/**
 * `metadata`: a cloud instance metadata service (always refused: it hands out the host's
 * credentials). `private`: loopback, private, link-local, carrier-grade NAT and unspecified
 * addresses (refused only with the `forbidPrivateAddresses` setting: Ollama and self-hosted
 * models live there). `public`: anything else, including names this module cannot resolve.
 */
export type AddressClass = 'metadata' | 'private' | 'public';

export interface AddressRules {
  /** Also refuse `private` hosts (loopback, private, link-local). Default false. */
  forbidPrivateAddresses?: boolean;
}

/** Names of metadata services (AWS, GCP), with or without their search domain. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);
/** Names that always mean this machine. */
const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

/** [first address, prefix length] */
type Range4 = readonly [string, number];
const METADATA_V4: Range4[] = [
  ['169.254.0.0', 16], // link-local: AWS, GCP, Azure, OpenStack, DigitalOcean… (169.254.169.254), Tencent (169.254.0.23)
  ['100.100.100.200', 32], // Alibaba Cloud
  ['192.0.0.192', 32], // Oracle Cloud (classic)
  ['168.63.129.16', 32], // Azure WireServer
];
const PRIVATE_V4: Range4[] = [
  ['0.0.0.0', 8], // "this network": 0.0.0.0 reaches the local host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT (and Tailscale)
  ['127.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
];
/** IPv6 metadata services: AWS (fd00:ec2::254), GCP (fd20:ce::254). */
const METADATA_V6 = ['fd00:ec2::254', 'fd20:ce::254'].map((text) => parseIPv6(text)!);

/** The dotted-decimal IPv4 address as a 32-bit number, or undefined. */
export function parseIPv4(text: string): number | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** An IPv6 address (brackets and zone id allowed) as its eight 16-bit groups, or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  let rest = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = rest.indexOf('%');
  if (zone !== -1) rest = rest.slice(0, zone);
  if (!rest.includes(':')) return undefined;
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIPv4(piece);
        if (v4 === undefined) return undefined;
        groups.push(Math.floor(v4 / 0x10000), v4 % 0x10000);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // An IPv4 tail may only end the address.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function inRange4(address: number, [first, bits]: Range4): boolean {
  const base = parseIPv4(first)!;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(base / size);
}

function classifyIPv4(address: number): AddressClass {
  if (METADATA_V4.some((range) => inRange4(address, range))) return 'metadata';
  if (PRIVATE_V4.some((range) => inRange4(address, range))) return 'private';
  return 'public';
}

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), or undefined. */
function embeddedIPv4(g: number[]): number | undefined {
  const last32 = g[6]! * 0x10000 + g[7]!;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated)
  if (zeros(0, 5) && g[5] === 0xffff) return last32;
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return last32;
  // ::a.b.c.d (compatible, deprecated), but not :: and ::1
  if (zeros(0, 6) && last32 > 1) return last32;
  // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local NAT64)
  if (g[0] === 0x64 && g[1] === 0xff9b && (zeros(2, 6) || g[2] === 1)) return last32;
  // 2002:aabb:ccdd::/48 (6to4)
  if (g[0] === 0x2002) return g[1]! * 0x10000 + g[2]!;
  return undefined;
}

function classifyIPv6(g: number[]): AddressClass {
  const embedded = embeddedIPv4(g);
  if (embedded !== undefined) {
    const verdict = classifyIPv4(embedded);
    if (verdict !== 'public') return verdict;
  }
  if (METADATA_V6.some((m) => m.every((x, i) => x === g[i]))) return 'metadata';
  if (g.slice(0, 7).every((x) => x === 0) && g[7]! <= 1) return 'private'; // :: and ::1
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((g[0]! & 0xffc0) === 0xfe80) return 'private'; // fe80::/10 link-local
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 site-local (deprecated)
  return 'public';
}

/** The class of an IP address literal (IPv4 dotted decimal, or IPv6 with or without brackets); undefined if it is not one. */
export function classifyAddress(address: string): AddressClass | undefined {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return classifyIPv4(v4);
  const v6 = parseIPv6(address);
  return v6 === undefined ? undefined : classifyIPv6(v6);
}

/** The class of a URL's hostname, address or name; a name not known here is `public` (DNS may say otherwise). */
export function classifyHost(hostname: string): AddressClass {
  const host = hostname.toLowerCase().replace(/\.+$/, '');
  const literal = classifyAddress(host);
  if (literal !== undefined) return literal;
  if (METADATA_NAMES.has(host)) return 'metadata';
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return 'private';
  return 'public';
}

const REASONS = {
  metadata: 'a cloud metadata endpoint',
  private: 'a loopback, private or link-local address, which the setting forbidPrivateAddresses forbids',
} as const;

/** Which class of `host` (a hostname or an address) the rules refuse, or undefined when calls may go there. */
export function refusedClass(host: string, rules: AddressRules = {}): Exclude<AddressClass, 'public'> | undefined {
  const verdict = classifyHost(host);
  if (verdict === 'metadata' || (verdict === 'private' && rules.forbidPrivateAddresses)) return verdict;
  return undefined;
}

/** Why a call may not go to `host` (a hostname or an address), or undefined when it may. */
export function hostRefusal(host: string, rules: AddressRules = {}): string | undefined {
  const refused = refusedClass(host, rules);
  return refused && `${host} is ${REASONS[refused]}`;
}

/**
 * Why `raw` is no acceptable model `baseUrl`, or undefined when it is: http(s) only; no
 * user-info, query or fragment (each would be sent somewhere, or swallow the path the
 * gateway appends); no metadata endpoint; no private host with `forbidPrivateAddresses`.
 */
export function baseUrlProblem(raw: string, rules: AddressRules = {}): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username !== '' || url.password !== '') return 'must not contain user-info (user:password@): put credentials in apiKey or headers';
  // The serialised URL holds `?` and `#` only as delimiters, so this also catches an empty query or fragment.
  if (url.href.includes('?')) return 'must not contain a query string';
  if (url.href.includes('#')) return 'must not contain a fragment';
  const refused = refusedClass(url.hostname, rules);
  return refused && `must not address ${REASONS[refused]} (${url.hostname})`;
}
