/** A plain JSON object (not null, not an array): what an untrusted body must be before its members are read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
