import type { TemporalServer } from './server';

export async function startPostgresServer(_opts: { log: (line: string) => void }): Promise<TemporalServer> {
  throw new Error('not yet');
}
