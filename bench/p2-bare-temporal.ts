/**
 * P2, the yardstick: the same load through a bare workflow that runs as many no-op activities as a handoff runs up
 * to its DM, in the same steps (counted from a recorded history), on the same server and in the same worker
 * process, on a task queue of its own. Handoff ÷ bare says what the handoff's own work costs over Temporal's
 * floor: latency at the same rate, and throughput at the same rate and in a saturating burst.
 */
import { handoffWorkflowId } from '../src/workflows/definitions';
import type { BareShape } from './lib/bare-workflow';
import { pool, openLoop } from './lib/load';
import type { Row } from './lib/results';
import type { Stack } from './lib/stack';
import { nowMs } from './lib/stats';
import { arrivals, terminateStragglers, type SteadyResult } from './p1-steady-load';

let bareRun = 0;

const bareIds = (stack: Stack, n: number): string[] => {
  bareRun += 1;
  return Array.from({ length: n }, (_, i) => `bench-bare-${stack.name}-${bareRun}-${i}-${Date.now().toString(36)}`);
};

async function startBare(stack: Stack, shape: BareShape, workflowId: string): Promise<void> {
  await stack.bareClient.workflow.start('bareHandoff', {
    taskQueue: stack.bareTaskQueue,
    workflowId,
    args: [{ shape, workflowId }],
  });
}

export async function steadyBare(
  stack: Stack,
  shape: BareShape,
  rate: number,
  seconds: number,
  drainMs = 120_000,
): Promise<SteadyResult> {
  const ids = bareIds(stack, Math.round(rate * seconds));
  const sentAt = new Map<string, number>();
  const gen = await openLoop({
    rate,
    count: ids.length,
    fire: async (i) => {
      sentAt.set(ids[i]!, nowMs());
      await startBare(stack, shape, ids[i]!);
    },
  });
  const errors = gen.errors.map(String);
  await stack.waitFor(stack.bareAt, ids, drainMs, `P2 bare @ ${rate}/s`).catch(async (e: unknown) => {
    errors.push(String(e));
    await terminateStragglers(
      stack,
      ids.filter((w) => !stack.bareAt.has(w)),
      stack.bareClient,
    );
  });
  return { rate, seconds, ...arrivals(ids, sentAt, stack.bareAt), generatorLagMs: gen.lagMs, errors };
}

export interface BurstResult {
  n: number;
  handoffPerS: number;
  barePerS: number;
  handoffSpanMs: number;
  bareSpanMs: number;
}

/**
 * `n` at once: handoffs as HubSpot delivers a backlog (webhooks of 100 events, all in flight together), bare
 * workflows started 100 at a time; arrivals per second from the first send to the last arrival.
 */
export async function burst(stack: Stack, shape: BareShape, n: number, drainMs = 300_000): Promise<BurstResult> {
  const ids = await stack.createLeads(n, 'demo');
  const wfs = ids.map((id) => handoffWorkflowId('hubspot', id));
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) batches.push(ids.slice(i, i + 100));
  const t0 = nowMs();
  await Promise.all(batches.map((b) => stack.postMqls(b)));
  await stack.waitFor(stack.dmAt, wfs, drainMs, `P2 burst of ${n} handoffs`);
  const handoffSpanMs = Math.max(...wfs.map((w) => stack.dmAt.get(w)!)) - t0;

  const bare = bareIds(stack, n);
  const t1 = nowMs();
  await pool(bare, 100, (id) => startBare(stack, shape, id));
  await stack.waitFor(stack.bareAt, bare, drainMs, `P2 burst of ${n} bare workflows`);
  const bareSpanMs = Math.max(...bare.map((w) => stack.bareAt.get(w)!)) - t1;
  return {
    n,
    handoffSpanMs,
    bareSpanMs,
    handoffPerS: n / (handoffSpanMs / 1000),
    barePerS: n / (bareSpanMs / 1000),
  };
}

export const LATENCY_RATIO_TARGET = 2.5;
export const THROUGHPUT_RATIO_TARGET_PCT = 50;

export function p2Rows(handoff: SteadyResult, bare: SteadyResult): Row[] {
  const at = `@ ${bare.rate}/s`;
  const id = `p2.rate${bare.rate}`;
  return [
    {
      id: `${id}.bare_p50`,
      figure: `P2 bare start→DM-step p50 ${at}`,
      unit: 'ms',
      measured: bare.latencyMs.p50,
      note:
        `p99 ${bare.latencyMs.p99.toFixed(0)} ms, max ${bare.latencyMs.max.toFixed(0)} ms, ${bare.throughput.toFixed(1)}/s` +
        (bare.errors.length ? `; ${bare.errors.join('; ')}` : ''),
    },
    {
      id: `${id}.latency_ratio_p50`,
      figure: `P2 latency handoff÷bare p50 ${at}`,
      unit: 'x',
      measured: handoff.latencyMs.p50 / bare.latencyMs.p50,
      target: { op: '<=', value: LATENCY_RATIO_TARGET },
    },
    {
      id: `${id}.latency_ratio_p99`,
      figure: `P2 latency handoff÷bare p99 ${at}`,
      unit: 'x',
      measured: handoff.latencyMs.p99 / bare.latencyMs.p99,
    },
    {
      id: `${id}.throughput_ratio`,
      figure: `P2 throughput handoff÷bare ${at}`,
      unit: 'pct',
      measured: (100 * handoff.throughput) / bare.throughput,
      target: { op: '>=', value: THROUGHPUT_RATIO_TARGET_PCT },
    },
  ];
}

export function burstRows(b: BurstResult): Row[] {
  return [
    {
      id: `p2.burst${b.n}.handoff_per_s`,
      figure: `P2 burst of ${b.n}: handoffs (webhook→DM)/s`,
      unit: 'per_s',
      measured: b.handoffPerS,
    },
    { id: `p2.burst${b.n}.bare_per_s`, figure: `P2 burst of ${b.n}: bare/s`, unit: 'per_s', measured: b.barePerS },
    {
      id: `p2.burst${b.n}.throughput_ratio`,
      figure: `P2 max throughput handoff÷bare (burst of ${b.n})`,
      unit: 'pct',
      measured: (100 * b.handoffPerS) / b.barePerS,
      target: { op: '>=', value: THROUGHPUT_RATIO_TARGET_PCT },
    },
  ];
}
