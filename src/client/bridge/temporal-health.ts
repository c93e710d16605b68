/**
 * Whether the bridge can reach Temporal right now, known before a request has to find out: a probe (the gateway's
 * `ready()`, one cheap GetSystemInfo call) every `upIntervalMs` while Temporal answers, and once it does not, again
 * and again with a short backoff (`downMinIntervalMs` doubling up to `downMaxIntervalMs`, default 100 ms → 500 ms)
 * so its return is noticed within about a second. Anything that finds Temporal unreachable meanwhile (a request, the
 * journal's forwarder) calls `suspect()` and the probe runs at once; only the probe changes the state, so one slow
 * call under load does not turn the bridge away.
 *
 * The webhooks answer 503 while the state is `down` (the sender retries), the journal's forwarder pauses, and
 * /healthz and /readyz report it. `unknown` (before the first probe answered) counts as reachable.
 */
import type { TemporalGateway } from '../temporal-gateway';

export type TemporalState = 'unknown' | 'up' | 'down';

export interface TemporalHealthSnapshot {
  state: TemporalState;
  address: string;
  /** When the state last changed, null before the first probe answered. */
  since: string | null;
  /** When the last probe answered. */
  checkedAt: string | null;
}

export interface TemporalHealthOptions {
  /** Between probes while Temporal answers (default 5 s). */
  upIntervalMs?: number;
  /** First pause between probes once it does not, doubled after each failed probe (default 100 ms). */
  downMinIntervalMs?: number;
  /** Longest pause between probes while it does not answer (default 500 ms). */
  downMaxIntervalMs?: number;
  /** Bound on one probe, connecting included (default 1 s). */
  probeTimeoutMs?: number;
}

export interface TemporalHealth {
  readonly state: TemporalState;
  snapshot(): TemporalHealthSnapshot;
  /** Probes now (or joins the probe under way); resolves to the state it found. */
  check(): Promise<TemporalState>;
  /** Something found Temporal unreachable: probe at once instead of at the next tick. */
  suspect(): void;
  /** Called on every change of state; returns the unsubscribe function. */
  onChange(listener: (state: TemporalState) => void): () => void;
  /** Starts probing on its own (the first probe at once). */
  start(): void;
  stop(): Promise<void>;
}

export function createTemporalHealth(
  gateway: TemporalGateway,
  opts: TemporalHealthOptions & { log?: (entry: object) => void; now?: () => number } = {},
): TemporalHealth {
  const upIntervalMs = opts.upIntervalMs ?? 5_000;
  const downMinMs = opts.downMinIntervalMs ?? 100;
  const downMaxMs = opts.downMaxIntervalMs ?? 500;
  const probeTimeoutMs = opts.probeTimeoutMs ?? 1_000;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => undefined);

  let state: TemporalState = 'unknown';
  let since: number | null = null;
  let checkedAt: number | null = null;
  let downPauseMs = downMinMs;
  let running = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<TemporalState> | null = null;
  const listeners = new Set<(s: TemporalState) => void>();

  const set = (next: TemporalState): void => {
    checkedAt = now();
    if (next === state) return;
    const previous = state;
    const downFor = previous === 'down' && since !== null ? now() - since : null;
    state = next;
    since = now();
    if (next === 'down') {
      log({ level: 'warn', msg: 'Temporal unreachable', temporal: gateway.address });
    } else if (previous === 'down') {
      log({ level: 'info', msg: 'Temporal reachable again', temporal: gateway.address, downForMs: downFor });
    }
    for (const l of listeners) {
      try {
        l(next);
      } catch {
        /* a listener's failure is its own */
      }
    }
  };

  const schedule = (ms: number): void => {
    clearTimeout(timer);
    if (!running || stopped) return;
    timer = setTimeout(() => void check(), ms);
    timer.unref();
  };

  const check = (): Promise<TemporalState> => {
    if (inFlight) return inFlight;
    clearTimeout(timer);
    inFlight = (async () => {
      let ok = false;
      try {
        ok = await gateway.ready({ timeoutMs: probeTimeoutMs });
      } catch {
        ok = false;
      }
      if (stopped) return state;
      set(ok ? 'up' : 'down');
      if (ok) {
        downPauseMs = downMinMs;
        schedule(upIntervalMs);
      } else {
        schedule(downPauseMs);
        downPauseMs = Math.min(downPauseMs * 2, downMaxMs);
      }
      return state;
    })().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  return {
    get state() {
      return state;
    },
    snapshot: () => ({
      state,
      address: gateway.address,
      since: since === null ? null : new Date(since).toISOString(),
      checkedAt: checkedAt === null ? null : new Date(checkedAt).toISOString(),
    }),
    check,
    suspect() {
      if (!running || stopped || inFlight) return;
      void check();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (running || stopped) return;
      running = true;
      void check();
    },
    async stop() {
      stopped = true;
      running = false;
      clearTimeout(timer);
      await inFlight?.catch(() => undefined);
    },
  };
}
