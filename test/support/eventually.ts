/**
 * Waiting on a condition, never on the clock: the deadline is only how long before a wait counts as stuck, so it is
 * generous (a 2-CPU machine shared with other test runs can be many times slower than a quiet one).
 */
export const DEFAULT_DEADLINE_MS = 60_000;

/** Polls `fn` until `ok` holds (every 100 ms, at most `ms`); the error names what never happened and the last value. */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  ok: (v: T) => boolean,
  what: string,
  ms = DEFAULT_DEADLINE_MS,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T;
  do {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 500)}`);
}

/**
 * `eventually` for many items under one deadline: each round asks only the items not there yet, a few at a time,
 * then pauses. A hundred workflows each queried every 100 ms are a thousand queries a second, which on a small
 * machine is the worker's whole time: the wait itself would keep the workflows from getting there.
 */
export async function eventuallyAll<I, T>(
  items: readonly I[],
  fn: (item: I) => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  ms = DEFAULT_DEADLINE_MS,
  opts: { concurrency?: number; pauseMs?: number } = {},
): Promise<T[]> {
  const { concurrency = 10, pauseMs = 250 } = opts;
  const deadline = Date.now() + ms;
  const results: T[] = new Array<T>(items.length);
  const last = new Map<number, T>();
  let waiting = items.map((_, i) => i);
  for (;;) {
    const still: number[] = [];
    for (let k = 0; k < waiting.length; k += concurrency) {
      await Promise.all(
        waiting.slice(k, k + concurrency).map(async (i) => {
          const v = await fn(items[i]!);
          if (ok(v)) results[i] = v;
          else {
            last.set(i, v);
            still.push(i);
          }
        }),
      );
    }
    waiting = still.sort((a, b) => a - b);
    if (waiting.length === 0) return results;
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out waiting for ${what}: ${waiting.length} of ${items.length} not there; ` +
          `last value of item ${waiting[0]}: ${JSON.stringify(last.get(waiting[0]!))?.slice(0, 500)}`,
      );
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}
