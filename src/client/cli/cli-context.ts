/**
 * What every `handoff` command shares: where output goes, the environment and org config (read once, on first
 * use), and a Temporal client connected the way the worker connects (TEMPORAL_ADDRESS / NAMESPACE / TLS / API key)
 * with the worker's payload codec (HANDOFF_CODEC_KEYS, or `npm start`'s sandbox key in the data folder). Without
 * TEMPORAL_ADDRESS it dials `npm start`'s dev server: localhost:TEMPORAL_DEV_PORT (default 7233).
 */
import {
  isGrpcCancelledError,
  isGrpcDeadlineError,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { codecFromEnv, type HandoffCodec } from '../../codec/keys';
import { loadEnv, localTemporalAddress, temporalSettings, type Env, type TemporalSettings } from '../../config/env';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../config/org-config-file';
import { findRep } from '../../domain/org';
import type { OrgConfig, Rep } from '../../domain/org-config';
import { addressOf, connectClient } from '../../temporal/connection';
import { handoffWorkflowId, parseHandoffWorkflowId } from '../../workflows/definitions';
import { isTemporalUnavailable } from '../temporal-gateway';
import { unreachable, usageError } from './cli-error';

export interface CliIo {
  /** Standard output (results, tables, JSON). */
  out: (text: string) => void;
  /** Standard error (errors, progress). */
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** How to reach Temporal; default connectClient (src/temporal/connection.ts). */
  connect: (settings: TemporalSettings, dataConverter: DataConverter) => Promise<Client>;
  /** How long a query or update may wait for the handoff worker to answer (default 20 s). */
  workerWaitMs: number;
}

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    now: Date.now,
    connect: connectClient,
    workerWaitMs: 20_000,
  };
}

export class CliContext {
  private envCache: Env | null = null;
  private configCache: OrgConfig | null = null;
  private client: Promise<Client> | null = null;
  private codecCache: HandoffCodec | null = null;

  constructor(readonly io: CliIo) {}

  line(text = ''): void {
    this.io.out(`${text}\n`);
  }

  env(): Env {
    if (!this.envCache) {
      try {
        this.envCache = loadEnv(this.io.env);
      } catch (e) {
        throw usageError((e as Error).message);
      }
    }
    return this.envCache;
  }

  config(): OrgConfig {
    if (!this.configCache) {
      try {
        this.configCache = loadOrgConfigFile(resolveOrgConfigPath(this.io.env));
      } catch (e) {
        throw usageError((e as Error).message);
      }
    }
    return this.configCache;
  }

  /** The payload codec (keys from HANDOFF_CODEC_KEYS or the sandbox key file); a bad or missing key is bad input. */
  codec(): HandoffCodec {
    if (!this.codecCache) {
      const env = this.env();
      try {
        this.codecCache = codecFromEnv(env);
      } catch (e) {
        throw usageError((e as Error).message);
      }
    }
    return this.codecCache;
  }

  /** The rep with this id in the org config; an unknown id is a usage error listing the known ones. */
  rep(repId: string): Rep {
    const found = findRep(this.config(), repId);
    if (found) return found.rep;
    const known = this.config().teams.flatMap((t) => t.reps.map((r) => r.id));
    throw usageError(`unknown rep "${repId}": expected one of ${known.join(', ')}`);
  }

  /** The worker's settings; no TEMPORAL_ADDRESS → `npm start`'s dev server (TEMPORAL_DEV_PORT). */
  temporalSettings(): TemporalSettings {
    const env = this.env();
    const settings = temporalSettings(env);
    return { ...settings, address: settings.address ?? localTemporalAddress(env) };
  }

  get namespace(): string {
    return this.temporalSettings().namespace;
  }

  get temporalAddress(): string {
    return addressOf(this.temporalSettings());
  }

  /** Runs `fn` with a connected client; Temporal unreachable → exit 3 naming the address. */
  async temporal<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const settings = this.temporalSettings();
    if (!this.client) this.client = this.io.connect(settings, this.codec().dataConverter);
    let client: Client;
    try {
      client = await this.client;
    } catch (e) {
      this.client = null;
      throw unreachable(`cannot reach Temporal at ${addressOf(settings)}: ${(e as Error).message}`);
    }
    try {
      return await fn(client);
    } catch (e) {
      if (isTemporalUnavailable(e)) {
        throw unreachable(`lost Temporal at ${addressOf(settings)}: ${(e as Error).message}`);
      }
      throw e;
    }
  }

  /**
   * Like `temporal`, for calls a worker must answer (queries, updates): when none does in time, exit 3 saying so
   * rather than wait forever.
   */
  async withWorker<T>(what: string, fn: (client: Client) => Promise<T>): Promise<T> {
    const waitMs = this.io.workerWaitMs;
    return this.temporal(async (c) => {
      try {
        return await c.withDeadline(Date.now() + waitMs, () => fn(c));
      } catch (e) {
        // Past the deadline gRPC reports DEADLINE_EXCEEDED or, now and then, CANCELLED (nothing else cancels here).
        if (
          e instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
          isGrpcDeadlineError(e) ||
          isGrpcCancelledError(e)
        ) {
          const queue = this.temporalSettings().taskQueue;
          throw unreachable(
            `no handoff worker answered the ${what} within ${Math.round(waitMs / 1000)} s: is the worker running on task queue ${queue}?`,
          );
        }
        throw e;
      }
    });
  }

  /** The handoff a `<lead>` argument names (workflow id or HubSpot contact id), checked to exist. */
  async lead(ref: string): Promise<{ workflowId: string; description: WorkflowExecutionDescription }> {
    const workflowId = workflowIdOf(ref);
    const description = await this.temporal(async (c) => {
      try {
        return await c.workflow.getHandle(workflowId).describe();
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) throw usageError(`unknown lead "${ref}": no handoff ${workflowId}`);
        throw e;
      }
    });
    return { workflowId, description };
  }

  async close(): Promise<void> {
    const pending = this.client;
    this.client = null;
    const client = await pending?.catch(() => null);
    await client?.connection.close().catch(() => undefined);
  }
}

/** `mql-hubspot-1001` or `1001` → the workflow id; anything else is a usage error. */
export function workflowIdOf(ref: string): string {
  if (parseHandoffWorkflowId(ref)) return ref;
  if (/^[1-9]\d{0,19}$/.test(ref)) return handoffWorkflowId('hubspot', ref);
  throw usageError(`lead "${ref}": expected a workflow id (mql-hubspot-<contact id>) or a HubSpot contact id`);
}
