/**
 * A service's Retry-After, honoured by the whole client rather than by the one call that received it. Once any
 * request of the client gets a 429 with `Retry-After: N`, no request of that client goes out before N seconds
 * have passed:
 *
 *  - a call that would start inside the window waits in-process when the window ends within `maxWaitMs` of the
 *    call's start (default 5 s: HubSpot's secondly limit answers `Retry-After: 1`), else fails at once, unsent, with
 *    `RetryAfterHeld` carrying the remaining delay (the adapters turn it into a RateLimited activity failure whose
 *    next retry comes when the window has closed);
 *  - when the window closes, one request goes first and the others wait for its answer, so a burst of waiting
 *    calls does not run into the next 429 together: a 429 to it opens a new window, anything else lets them go.
 *
 * Requests already on the wire when the 429 arrives are not recalled (nothing could). The gate belongs to one
 * client object; activities on other workers have their own and rely on Temporal's nextRetryDelay.
 */

export class RetryAfterHeld extends Error {
  /** Whole seconds until the window closes, at least 1: the delay the activity should retry after. */
  readonly retryAfterSeconds: number;

  constructor(
    readonly service: string,
    /** Milliseconds left in the window when the call was refused. */
    readonly remainingMs: number,
    /** The Retry-After that opened the window. */
    readonly windowSeconds: number,
  ) {
    const retryAfterSeconds = Math.max(1, Math.ceil(remainingMs / 1000));
    super(
      `not sent: ${service} answered an earlier request 429 with Retry-After ${windowSeconds} s; ` +
        `${retryAfterSeconds} s of it remain`,
    );
    this.name = 'RetryAfterHeld';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface RetryAfterGateOptions {
  /** The longest a call waits in-process for a window to close; longer windows fail fast. Default 5 000. */
  maxWaitMs?: number;
}

export const DEFAULT_RETRY_AFTER_WAIT_MS = 5_000;

export class RetryAfterGate {
  private readonly maxWaitMs: number;
  /** Date.now() before which no request may start. */
  private until = 0;
  private windowSeconds = 0;
  /** A window closed and no request has been answered since: the next one goes alone. */
  private probeNeeded = false;
  /** The request that went alone, while it has no answer. */
  private probe: Promise<void> | null = null;

  constructor(
    /** Named in messages: "hubspot", "salesforce". */
    readonly service: string,
    opts: RetryAfterGateOptions = {},
  ) {
    const maxWaitMs = opts.maxWaitMs ?? DEFAULT_RETRY_AFTER_WAIT_MS;
    if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) {
      throw new Error(`${service} retry-after wait = ${JSON.stringify(maxWaitMs)}: expected milliseconds, 0 or more`);
    }
    this.maxWaitMs = maxWaitMs;
  }

  /** A 429 with Retry-After `seconds` arrived: nothing goes out for that long (a later end wins). */
  hold(seconds: number): void {
    const until = Date.now() + Math.max(0, seconds) * 1000;
    if (until > this.until) {
      this.until = until;
      this.windowSeconds = seconds;
    }
    this.probeNeeded = true;
  }

  /** When the current window closes (Date.now() terms), or 0 when none is open. */
  get heldUntil(): number {
    return this.until > Date.now() ? this.until : 0;
  }

  /**
   * Sends when the gate lets it. `retryAfterOf` reads a failure: the Retry-After seconds of a 429, else undefined.
   * Throws RetryAfterHeld, without calling `send`, when the window outlasts the wait budget.
   */
  async run<T>(send: () => Promise<T>, retryAfterOf: (err: unknown) => number | undefined): Promise<T> {
    const release = await this.enter(Date.now() + this.maxWaitMs);
    try {
      return await send();
    } catch (e) {
      const seconds = retryAfterOf(e);
      if (seconds !== undefined) this.hold(seconds);
      throw e;
    } finally {
      release();
    }
  }

  private async enter(deadline: number): Promise<() => void> {
    for (;;) {
      const now = Date.now();
      if (now < this.until) {
        if (this.until > deadline) throw new RetryAfterHeld(this.service, this.until - now, this.windowSeconds);
        await sleep(this.until - now);
        continue; // re-read: another 429 may have moved the end, and a timer may fire a little early
      }
      if (this.probe) {
        if (now >= deadline) throw new RetryAfterHeld(this.service, 1000, this.windowSeconds);
        await Promise.race([this.probe, sleep(deadline - now)]);
        continue;
      }
      if (!this.probeNeeded) return () => undefined;
      this.probeNeeded = false;
      let answered!: () => void;
      this.probe = new Promise<void>((resolve) => (answered = resolve));
      return () => {
        this.probe = null;
        answered();
      };
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
