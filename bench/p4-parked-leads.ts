/**
 * P4, many leads asleep: `count` handoffs started straight with the client (the bridge's own start call), each
 * run to its DM and parked in the SLA timer, with at most `window` being handed off at a time; then the worker's
 * RSS. Then the wake-up burst: every lead signalled at once that its rep called (as a Monday-morning wave of
 * activity would), and woken leads per second until the last one's DM shows "reached out" in Slack.
 */
import { startHandoff } from '../src/client/handoff-commands';
import { handoffWorkflowId, repActivitySignal } from '../src/workflows/definitions';
import { pool } from './lib/load';
import type { Row } from './lib/results';
import type { Stack } from './lib/stack';
import { nowMs, sleep } from './lib/stats';

export interface ParkedResult {
  count: number;
  parkedPerS: number;
  /** Worker RSS before the first lead (warmed up), once all are parked (after a few seconds' quiet), and the most seen. */
  rssIdleMB: number;
  rssParkedMB: number;
  heapParkedMB: number;
  /** The worker process at start-up: modules loaded, then the handoff worker created (bundle built in-process). */
  rssBootMB: number;
  rssWorkerCreatedMB: number;
  rssPeakMB: number;
  wakePerS: number;
  signalsPerS: number;
  woken: number;
  errors: string[];
}

const MB = 2 ** 20;

export async function parkedLeads(stack: Stack, count: number, window = 100): Promise<ParkedResult> {
  const errors: string[] = [];
  const start = (contactId: string) =>
    startHandoff(
      stack.client,
      stack.taskQueue,
      {
        source: 'hubspot',
        contactId,
        trigger: { kind: 'property_change', at: new Date().toISOString(), detail: 'lifecyclestage' },
      },
      Date.now(),
    );
  // Warm: the workflow bundle loaded, connections open, the roster running.
  const warm = await stack.createLeads(3, 'demo');
  await Promise.all(warm.map(start));
  await stack.waitFor(
    stack.dmAt,
    warm.map((id) => handoffWorkflowId('hubspot', id)),
    120_000,
    'P4 warm-up',
  );
  await sleep(2000);
  const idle = await stack.workerMemory();
  let rssPeak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      rssPeak = Math.max(rssPeak, (await stack.workerMemory()).rss);
      await sleep(1000);
    }
  })();

  const ids = await stack.createLeads(count, 'demo');
  const wfs = ids.map((id) => handoffWorkflowId('hubspot', id));
  const t0 = nowMs();
  await pool(ids, window, async (contactId, i) => {
    await start(contactId);
    // The window slides as leads park (their DM is out), so at most `window` are being handed off at once.
    await stack.waitFor(stack.dmAt, [wfs[i]!], 600_000, `P4 lead ${contactId}`);
  }).catch((e: unknown) => errors.push(String(e)));
  const parkedPerS = count / ((Math.max(...wfs.map((w) => stack.dmAt.get(w) ?? 0)) - t0) / 1000);

  // The last handoffs settle into their timers; then the figure.
  await sleep(5000);
  const parked = await stack.workerMemory();

  const before = new Map(wfs.map((w) => [w, stack.dmUpdatedAt.get(w)]));
  const t1 = nowMs();
  await pool(wfs, 200, async (w, i) => {
    await stack.client.workflow
      .getHandle(w)
      .signal(repActivitySignal, { type: 'call', source: 'hubspot', externalId: `bench-call-${i}` });
  }).catch((e: unknown) => errors.push(String(e)));
  const signalled = nowMs();
  const updated = new Map<string, number>();
  const deadline = Date.now() + 600_000;
  while (updated.size < wfs.length && Date.now() < deadline) {
    for (const w of wfs) {
      const at = stack.dmUpdatedAt.get(w);
      if (at !== undefined && at !== before.get(w) && at >= t1) updated.set(w, at);
    }
    if (updated.size < wfs.length) await sleep(100);
  }
  if (updated.size < wfs.length) errors.push(`${wfs.length - updated.size} of ${wfs.length} leads did not wake`);
  const lastWake = Math.max(...updated.values());
  sampling = false;
  await sampler;
  return {
    count,
    parkedPerS,
    rssIdleMB: idle.rss / MB,
    rssBootMB: stack.workerStartup.boot / MB,
    rssWorkerCreatedMB: stack.workerStartup.afterHandoffWorker / MB,
    rssParkedMB: parked.rss / MB,
    heapParkedMB: parked.heapUsed / MB,
    rssPeakMB: rssPeak / MB,
    wakePerS: updated.size / ((lastWake - t1) / 1000),
    signalsPerS: wfs.length / ((signalled - t1) / 1000),
    woken: updated.size,
    errors,
  };
}

export const RSS_TARGET_MB = 300;
export const WAKE_TARGET_PER_S = 200;

export function p4Rows(r: ParkedResult): Row[] {
  const n = r.count.toLocaleString('en-US');
  return [
    {
      id: 'p4.rss_parked',
      figure: `P4 worker RSS, ${n} leads parked`,
      unit: 'MB',
      measured: r.rssParkedMB,
      target: { op: '<=', value: RSS_TARGET_MB },
      note:
        `worker process ${r.rssBootMB.toFixed(0)} MB with its modules loaded, ${r.rssWorkerCreatedMB.toFixed(0)} MB once the ` +
        `worker was created (workflow bundle built in-process), ${r.rssIdleMB.toFixed(0)} MB warmed up before the first ` +
        `lead; V8 heap used ${r.heapParkedMB.toFixed(0)} MB parked; ` +
        `peak RSS during parking and wake-up ${r.rssPeakMB.toFixed(0)} MB`,
    },
    {
      id: 'p4.parked_per_s',
      figure: `P4 parking rate (start→DM, ≤ 100 at a time)`,
      unit: 'per_s',
      measured: r.parkedPerS,
    },
    {
      id: 'p4.wake_per_s',
      figure: `P4 wake-up burst (${n} signalled → DM updated)`,
      unit: 'per_s',
      measured: r.wakePerS,
      target: { op: '>=', value: WAKE_TARGET_PER_S },
      note:
        `signals sent at ${r.signalsPerS.toFixed(0)}/s; ${r.woken} woke` +
        (r.errors.length ? `; ${r.errors.join('; ')}` : ''),
    },
  ];
}
