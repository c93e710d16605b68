/**
 * How the bridge reaches Temporal without depending on it being up: the bridge starts and answers /healthz while
 * Temporal is down, /readyz says whether it is reachable, and every request that needs Temporal while it is not
 * fails fast with TemporalUnavailableError (the bridge turns that into 503, so the sender retries later).
 *
 * The lazy gateway connects on first use and drops its client when a call finds Temporal unreachable, so the next
 * request connects afresh (e.g. after the cluster moved or restarted). The fixed gateway wraps a Client the caller
 * owns (the `npm start` process), classifying failures the same way.
 */
import { Client, isGrpcServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

/**
 * gRPC status codes (grpc/status.proto) that mean the server was not reached in time. A call past its deadline
 * ends DEADLINE_EXCEEDED or, now and then, CANCELLED; nothing else cancels the gateway's calls.
 */
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

export class TemporalUnavailableError extends Error {
  constructor(
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(`Temporal at ${address} is unreachable`, options);
    this.name = 'TemporalUnavailableError';
  }
}

export interface TemporalGateway {
  /** host:port, for messages. */
  readonly address: string;
  /**
   * Runs `fn` with a connected client, its gRPC calls bounded by `timeoutMs`. Temporal unreachable (cannot connect,
   * UNAVAILABLE, deadline exceeded) → TemporalUnavailableError; any other error is passed through.
   */
  run<T>(fn: (client: Client) => Promise<T>, opts?: RunOptions): Promise<T>;
  /** True when the cluster answers a cheap call within `timeoutMs` (default 2 s). */
  ready(opts?: { timeoutMs?: number }): Promise<boolean>;
  close(): Promise<void>;
}

export interface RunOptions {
  /** Bound on the gRPC calls of `fn` (default: the gateway's `callTimeoutMs`). */
  timeoutMs?: number;
  /** How long to wait for a connection first (default: the gateway's `connectWaitMs`). */
  connectWaitMs?: number;
}

export interface GatewayTimeouts {
  /** How long a request waits for a connection before answering 503 (default 2 s; the connect goes on). */
  connectWaitMs?: number;
  /** Default bound on one `run` (default 3 s: webhook senders time out after about 5 s). */
  callTimeoutMs?: number;
}

/** True for the failures that mean "Temporal is not there right now", as opposed to a refusal. */
export function isTemporalUnavailable(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (cur instanceof TemporalUnavailableError || cur instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(cur)) {
      return cur.code === GRPC_UNAVAILABLE || cur.code === GRPC_DEADLINE_EXCEEDED || cur.code === GRPC_CANCELLED;
    }
    if (cur instanceof Error && /Failed to connect before the deadline/.test(cur.message)) return true;
  }
  return false;
}

function hasGrpcCode(e: unknown, code: number): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(cur)) return cur.code === code;
  }
  return false;
}

/** A gateway that connects with `connect()` when first needed and again after Temporal was unreachable. */
export function createLazyTemporalGateway(opts: {
  address: string;
  connect: () => Promise<Client>;
  timeouts?: GatewayTimeouts;
}): TemporalGateway {
  const connectWaitMs = opts.timeouts?.connectWaitMs ?? 2_000;
  let pending: Promise<Client> | null = null;
  let closed = false;

  const clientNow = async (waitMs: number): Promise<Client> => {
    if (closed) throw new TemporalUnavailableError(opts.address, { cause: new Error('gateway closed') });
    if (!pending) {
      const attempt = opts.connect();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = null;
      });
    }
    const attempt = pending;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        attempt,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new TemporalUnavailableError(opts.address, { cause: new Error('connect timed out') })),
            waitMs,
          );
        }),
      ]);
    } catch (e) {
      throw e instanceof TemporalUnavailableError ? e : new TemporalUnavailableError(opts.address, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  };

  const drop = (client: Client): void => {
    void pending?.then(
      (current) => {
        if (current !== client) return;
        pending = null;
        void client.connection.close().catch(() => undefined);
      },
      () => undefined,
    );
  };

  return {
    address: opts.address,
    async run(fn, runOpts) {
      const client = await clientNow(runOpts?.connectWaitMs ?? connectWaitMs);
      try {
        return await bounded(client, fn, runOpts?.timeoutMs ?? opts.timeouts?.callTimeoutMs ?? 3_000);
      } catch (e) {
        if (!isTemporalUnavailable(e)) throw e;
        // A lost connection is rebuilt on the next request; a slow answer (deadline) keeps it.
        if (hasGrpcCode(e, GRPC_UNAVAILABLE)) drop(client);
        throw e instanceof TemporalUnavailableError ? e : new TemporalUnavailableError(opts.address, { cause: e });
      }
    },
    async ready(readyOpts) {
      return probe(this, readyOpts?.timeoutMs);
    },
    async close() {
      closed = true;
      const last = pending;
      pending = null;
      const client = await last?.catch(() => null);
      await client?.connection.close().catch(() => undefined);
    },
  };
}

/** A gateway over a client someone else connected and closes. */
export function fixedTemporalGateway(client: Client, address: string, timeouts?: GatewayTimeouts): TemporalGateway {
  return {
    address,
    async run(fn, runOpts) {
      try {
        return await bounded(client, fn, runOpts?.timeoutMs ?? timeouts?.callTimeoutMs ?? 3_000);
      } catch (e) {
        if (isTemporalUnavailable(e) && !(e instanceof TemporalUnavailableError)) {
          throw new TemporalUnavailableError(address, { cause: e });
        }
        throw e;
      }
    },
    async ready(readyOpts) {
      return probe(this, readyOpts?.timeoutMs);
    },
    async close() {
      /* the owner closes the client */
    },
  };
}

function bounded<T>(client: Client, fn: (client: Client) => Promise<T>, timeoutMs: number): Promise<T> {
  return client.withDeadline(Date.now() + timeoutMs, () => fn(client));
}

async function probe(gateway: TemporalGateway, timeoutMs = 2_000): Promise<boolean> {
  try {
    await gateway.run((c) => c.workflowService.getSystemInfo({}), { timeoutMs, connectWaitMs: timeoutMs });
    return true;
  } catch {
    return false;
  }
}
