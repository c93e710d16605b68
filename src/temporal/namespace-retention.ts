/**
 * How long a namespace keeps a closed workflow in visibility (its retention). The handoff-health report reads
 * closed handoffs back from visibility, so the week-over-week needs at least two weeks of it; the dev server creates
 * its namespaces with one day. `npm start` raises its local namespace to 30 days; a production namespace is set by
 * its operators (`temporal operator namespace update --retention 30d`, or Temporal Cloud's namespace settings).
 */
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

const DAY_S = 86_400;

/** The namespace's retention in days (fractions for less than a day). */
export async function namespaceRetentionDays(connection: Connection, namespace: string): Promise<number> {
  const d = await connection.workflowService.describeNamespace({ namespace });
  return Number(d.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / DAY_S;
}

/**
 * Raises the namespace's retention to `days` when it is shorter (a longer one is left alone). Returns the
 * retention before and after, in days.
 */
export async function ensureRetentionAtLeast(
  connection: Connection,
  namespace: string,
  days: number,
): Promise<{ before: number; after: number }> {
  const before = await namespaceRetentionDays(connection, namespace);
  if (before >= days) return { before, after: before };
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msToTs(days * DAY_S * 1000) },
  });
  return { before, after: await namespaceRetentionDays(connection, namespace) };
}
