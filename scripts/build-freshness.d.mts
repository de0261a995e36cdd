/** Why `built` (under `root`, the repository's by default) cannot stand for the TypeScript files under `sources`: missing, or older than one of them. */
export function staleBuild(built: string, sources: readonly string[], root?: URL): string | undefined;
