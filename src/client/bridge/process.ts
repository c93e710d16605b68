/**
 * Running the bridge from the environment: in-process beside the worker (`npm start`, with the process's own
 * Client) or on its own (main.ts, with a gateway that connects lazily).
 */
import type { Client } from '@temporalio/client';
import { createSlackResponder, type SlackResponder } from '../../activities/slack/slack-responder';
import { temporalSettings, type Env } from '../../config/env';
import type { OrgConfig } from '../../domain/org-config';
import { DEFAULT_SANDBOX_BASE_PORT, SANDBOX_PORT_OFFSETS, type Sandbox } from '../../sandbox';
import { SANDBOX_SLACK_TOKEN } from '../../sandbox/slack/slack-emulator';
import { addressOf } from '../../temporal/connection';
import { fixedTemporalGateway, type TemporalGateway } from '../temporal-gateway';
import { createBridge, type Bridge } from './server';

export interface RunningBridge {
  bridge: Bridge;
  url: string;
  close(): Promise<void>;
}

/** The Slack emulator `npm start` runs (SANDBOX_BASE_PORT + 3), e.g. http://127.0.0.1:4103; its Web API is at /api/. */
export function sandboxSlackUrl(env: Pick<Env, 'SANDBOX_BASE_PORT'>): string {
  return `http://127.0.0.1:${(env.SANDBOX_BASE_PORT ?? DEFAULT_SANDBOX_BASE_PORT) + SANDBOX_PORT_OFFSETS.slack}`;
}

/**
 * Starts the bridge with a client the caller owns (and closes). `temporalAddress` is only for messages; pass the
 * sandbox when one runs so refused Slack clicks are answered in the Slack emulator.
 */
export async function startBridge(opts: {
  env: Env;
  config: OrgConfig;
  client: Client;
  taskQueue: string;
  temporalAddress?: string;
  sandbox?: Sandbox | null;
  log?: (entry: object) => void;
}): Promise<RunningBridge> {
  const address = opts.temporalAddress ?? addressOf(temporalSettings(opts.env));
  return listenFromEnv({
    env: opts.env,
    config: opts.config,
    taskQueue: opts.taskQueue,
    temporal: fixedTemporalGateway(opts.client, address),
    slack: slackResponderFor(opts.env, opts.sandbox?.slack ?? null),
    log: opts.log,
  });
}

export async function listenFromEnv(opts: {
  env: Env;
  config: OrgConfig;
  taskQueue: string;
  temporal: TemporalGateway;
  slack: SlackResponder | undefined;
  log?: (entry: object) => void;
}): Promise<RunningBridge> {
  const { env } = opts;
  const production = env.NODE_ENV === 'production';
  const bridge = await createBridge({
    temporal: opts.temporal,
    taskQueue: opts.taskQueue,
    config: opts.config,
    secrets: {
      hubspotClientSecret: env.HUBSPOT_CLIENT_SECRET,
      slackSigningSecret: env.SLACK_SIGNING_SECRET,
      salesforceOrgId: env.SALESFORCE_ORG_ID,
    },
    publicUrl: env.BRIDGE_PUBLIC_URL,
    slack: opts.slack,
    production,
    log: opts.log,
  });
  const host = env.BRIDGE_HOST ?? (production ? '0.0.0.0' : '127.0.0.1');
  const url = await bridge.listen(env.BRIDGE_PORT ?? 3000, host);
  return { bridge, url, close: () => bridge.close() };
}

/**
 * Who answers refused clicks: real Slack when SLACK_BOT_TOKEN is set; else the sandbox's Slack emulator given by the
 * caller; else, outside production, the one `npm start` runs on SANDBOX_BASE_PORT + 3; else nobody.
 */
export function slackResponderFor(
  env: Env,
  sandboxSlack: { token: string; apiUrl: string } | null,
): SlackResponder | undefined {
  if (env.SLACK_BOT_TOKEN) return createSlackResponder({ token: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL });
  if (sandboxSlack) return createSlackResponder({ token: sandboxSlack.token, apiUrl: sandboxSlack.apiUrl });
  if (env.NODE_ENV === 'production') return undefined;
  return createSlackResponder({ token: SANDBOX_SLACK_TOKEN, apiUrl: `${sandboxSlackUrl(env)}/api/` });
}
