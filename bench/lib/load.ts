/** Load shapes: an open loop at a fixed rate (arrivals do not wait for earlier ones), and a bounded pool. */
import { nowMs, sleep, summarize, type Summary } from './stats';

/**
 * Calls `fire(i)` for i < count at `rate` per second from now, without waiting for earlier calls, as webhooks
 * arrive. Resolves when every call has settled; `lagMs` is how late the generator itself fired (a loaded bench
 * process shows here, not in the figures).
 */
export async function openLoop(opts: {
  rate: number;
  count: number;
  fire: (i: number) => Promise<void>;
}): Promise<{ lagMs: Summary; errors: unknown[] }> {
  const t0 = nowMs() + 20;
  const lags: number[] = [];
  const errors: unknown[] = [];
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < opts.count; i++) {
    const due = t0 + (i * 1000) / opts.rate;
    const wait = due - nowMs();
    if (wait > 1) await sleep(wait);
    lags.push(Math.max(0, nowMs() - due));
    inFlight.push(opts.fire(i).catch((e: unknown) => void errors.push(e)));
  }
  await Promise.all(inFlight);
  return { lagMs: summarize(lags), errors };
}

/** Runs `fn` over `items` with at most `width` in flight. */
export async function pool<T>(
  items: readonly T[],
  width: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}
