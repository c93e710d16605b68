import type { EphemeralServer } from '../../src/temporal/ephemeral-server';

/** Stops every server, each even when another fails to stop; rethrows the failures together. */
export async function stopServers(servers: EphemeralServer[]): Promise<void> {
  const results = await Promise.allSettled(servers.map((s) => s.stop()));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length > 0) throw new AggregateError(errors, `stopping ${errors.length} Temporal server(s) failed`);
}
