/**
 * P1, steady load: signed HubSpot webhooks (one MQL each) posted to the production bridge at a fixed rate, and the
 * time from sending each to its Slack DM landing in the emulator (what the rep experiences), with the bridge's
 * acknowledgement time (what HubSpot waits for; it gives up after 5 s).
 */
import { handoffWorkflowId } from '../src/workflows/definitions';
import { sampleBreakdown, describeBreakdown, type BreakdownSummary } from './lib/history';
import { openLoop, pool } from './lib/load';
import type { Row } from './lib/results';
import type { Stack } from './lib/stack';
import { summarize, type Summary } from './lib/stats';

export interface SteadyResult {
  rate: number;
  seconds: number;
  sent: number;
  arrived: number;
  /** Send → arrival (DM in Slack, or the bare workflow's DM-equivalent activity). */
  latencyMs: Summary;
  /** Arrivals per second from the first send to the last arrival. */
  throughput: number;
  /** How late the load generator fired (bench-side). */
  generatorLagMs: Summary;
  ackMs?: Summary;
  ackStatuses?: Record<string, number>;
  breakdown?: BreakdownSummary | null;
  errors: string[];
}

/** Offered `rate` MQL/s for `seconds`; waits up to `drainMs` after the last send for the DMs. */
export async function steadyHandoffs(
  stack: Stack,
  rate: number,
  seconds: number,
  drainMs = 120_000,
): Promise<SteadyResult> {
  const ids = await stack.createLeads(Math.round(rate * seconds), 'demo');
  const wfs = ids.map((id) => handoffWorkflowId('hubspot', id));
  const sentAt = new Map<string, number>();
  const acks: number[] = [];
  const statuses: Record<string, number> = {};
  const gen = await openLoop({
    rate,
    count: ids.length,
    fire: async (i) => {
      const r = await stack.postMqls([ids[i]!]);
      sentAt.set(wfs[i]!, r.sentAt);
      acks.push(r.ackMs);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    },
  });
  const errors = gen.errors.map(String);
  await stack.waitFor(stack.dmAt, wfs, drainMs, `P1 @ ${rate}/s DMs`).catch(async (e: unknown) => {
    errors.push(String(e));
    await terminateStragglers(
      stack,
      wfs.filter((w) => !stack.dmAt.has(w)),
    );
  });
  const result = arrivals(wfs, sentAt, stack.dmAt);
  return {
    rate,
    seconds,
    ...result,
    generatorLagMs: gen.lagMs,
    ackMs: summarize(acks),
    ackStatuses: statuses,
    breakdown: await sampleBreakdown(
      stack.client,
      wfs.filter((w) => stack.dmAt.has(w)),
    ).catch(() => null),
    errors,
  };
}

/** Ends what is still running after the drain, so its backlog does not load the next figure. */
export async function terminateStragglers(stack: Stack, workflowIds: string[], client = stack.client): Promise<void> {
  await pool(workflowIds, 50, async (w) => {
    await client.workflow
      .getHandle(w)
      .terminate('bench: not done within the drain time')
      .catch(() => undefined);
  });
}

/** Latencies and throughput of the ids that arrived. */
export function arrivals(
  ids: readonly string[],
  sentAt: ReadonlyMap<string, number>,
  arrivedAt: ReadonlyMap<string, number>,
): { sent: number; arrived: number; latencyMs: Summary; throughput: number } {
  const done = ids.filter((id) => sentAt.has(id) && arrivedAt.has(id));
  const latencies = done.map((id) => arrivedAt.get(id)! - sentAt.get(id)!);
  const first = Math.min(...ids.filter((id) => sentAt.has(id)).map((id) => sentAt.get(id)!));
  const last = Math.max(...done.map((id) => arrivedAt.get(id)!));
  return {
    sent: sentAt.size,
    arrived: done.length,
    latencyMs: summarize(latencies),
    throughput: done.length / ((last - first) / 1000),
  };
}

export const ACK_TARGET_MS = 20;

export function p1Rows(r: SteadyResult): Row[] {
  const at = `@ ${r.rate}/s`;
  const id = `p1.rate${r.rate}`;
  const bad = Object.entries(r.ackStatuses ?? {}).filter(([s]) => s !== '200');
  const missing = r.sent - r.arrived;
  return [
    { id: `${id}.dm_p50`, figure: `P1 webhook→DM p50 ${at}`, unit: 'ms', measured: r.latencyMs.p50 },
    {
      id: `${id}.dm_p99`,
      figure: `P1 webhook→DM p99 ${at}`,
      unit: 'ms',
      measured: r.latencyMs.p99,
      note: r.breakdown ? describeBreakdown(r.breakdown) : undefined,
    },
    {
      id: `${id}.dm_max`,
      figure: `P1 webhook→DM max ${at}`,
      unit: 'ms',
      measured: r.latencyMs.max,
      note: missing > 0 ? `${missing} of ${r.sent} DMs never arrived: ${r.errors.join('; ')}` : undefined,
    },
    {
      id: `${id}.ack_p99`,
      figure: `P1 webhook ack p99 ${at}`,
      unit: 'ms',
      measured: r.ackMs!.p99,
      target: { op: '<=', value: ACK_TARGET_MS },
      note:
        `p50 ${r.ackMs!.p50.toFixed(1)} ms, max ${r.ackMs!.max.toFixed(0)} ms` +
        (bad.length ? `; non-200 answers: ${bad.map(([s, n]) => `${n}× ${s}`).join(', ')}` : ''),
    },
    {
      id: `${id}.throughput`,
      figure: `P1 DMs/s ${at}`,
      unit: 'per_s',
      measured: r.throughput,
    },
  ];
}
