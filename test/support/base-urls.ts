/** Model base URLs the gateway must refuse or accept (test/unit/base-url.test.ts, test/conformance/management.ts). */

/** Every spelling of a metadata endpoint a base URL could use; WHATWG URL parsing normalises most of them. */
export const METADATA_URLS = [
  'http://169.254.169.254/latest/meta-data',
  'http://169.254.169.254./v1',
  'http://2852039166/v1', // decimal
  'http://0xa9fea9fe/v1', // hex
  'http://0xa9.0xfe.0xa9.0xfe/v1',
  'http://0251.0376.0251.0376/v1', // octal
  'http://169.254.43518/v1', // two-part
  'http://169.254.0.23/v1', // Tencent: anything in 169.254.0.0/16
  'http://[::ffff:169.254.169.254]/v1', // IPv4-mapped
  'http://[::ffff:a9fe:a9fe]/v1',
  'http://[0:0:0:0:0:ffff:169.254.169.254]/v1',
  'http://[::169.254.169.254]/v1', // IPv4-compatible
  'http://[64:ff9b::a9fe:a9fe]/v1', // NAT64
  'http://[2002:a9fe:a9fe::1]/v1', // 6to4
  'http://[fd00:ec2::254]/latest', // AWS IPv6
  'http://[FD00:EC2:0:0:0:0:0:254]/latest',
  'http://[fd20:ce::254]/computeMetadata', // GCP IPv6
  'http://metadata.google.internal/computeMetadata/v1',
  'http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1',
  'http://metadata%2Egoogle.internal/v1',
  'http://metadata。google。internal/v1',
  'http://metadata.goog/v1',
  'http://metadata/v1',
  'https://instance-data.ec2.internal/v1',
  'http://100.100.100.200/latest', // Alibaba
  'http://192.0.0.192/v1', // Oracle
  'http://168.63.129.16/v1', // Azure WireServer
  'http://169.254.169.254:80\\@api.openai.com/v1', // backslash: the host is the metadata address
];

export const MALFORMED_URLS = [
  'http://user:pass@api.openai.com/v1',
  'http://user@api.openai.com/v1',
  'http://:pass@api.openai.com/v1',
  'https://api.openai.com/v1?api-version=1',
  'https://api.openai.com/v1?',
  'https://api.openai.com/v1#frag',
  'https://api.openai.com/v1#',
  'ftp://api.openai.com/v1',
  'file:///etc/passwd',
];

export const GOOD_URLS = [
  'http://127.0.0.1:11434/v1',
  'https://api.openai.com/v1',
  'http://ollama.internal:11434/v1',
  'https://api.anthropic.com',
  'http://10.0.0.5:8000/v1',
  'http://[::1]:11434/v1',
  'http://localhost:11434/v1',
  'https://metadata.example.com/v1', // only the names themselves are metadata names
  'http://169.255.169.254/v1',
];

export const PRIVATE_URLS = [
  'http://127.0.0.1:11434/v1',
  'http://127.1:11434/v1',
  'http://0/v1',
  'http://localhost:11434/v1',
  'http://LOCALHOST.:11434/v1',
  'http://ollama.localhost/v1',
  'http://[::1]:11434/v1',
  'http://[::]/v1',
  'http://[::ffff:127.0.0.1]/v1',
  'http://10.1.2.3/v1',
  'http://172.16.0.1/v1',
  'http://172.31.255.255/v1',
  'http://192.168.1.10/v1',
  'http://100.64.0.1/v1',
  'http://[fc00::1]/v1',
  'http://[fd12:3456::1]/v1',
  'http://[fe80::1]/v1',
];
