/**
 * Running the bridge from the environment: in-process beside the worker (`npm start`, with the process's own
 * Client) or on its own (src/main/bridge.ts, with a gateway that connects lazily). What a sandbox offers the bridge
 * is passed in by whoever started the sandbox; the bridge itself knows no emulator.
 */
import type { Client } from '@temporalio/client';
import { createSlackResponder, type SlackResponder } from '../../activities/slack/slack-responder';
import { temporalSettings, type Env } from '../../config/env';
import type { OrgConfig } from '../../domain/org-config';
import { addressOf } from '../../temporal/connection';
import { fixedTemporalGateway, type TemporalGateway } from '../temporal-gateway';
import type { BridgeSecrets } from './secrets';
import { createBridge, type Bridge } from './server';

export interface RunningBridge {
  bridge: Bridge;
  url: string;
  close(): Promise<void>;
}

/** What a sandbox running beside the bridge offers it (src/sandbox's `Sandbox` has this shape). */
export interface BridgeSandbox {
  /** The Slack emulator: answers refused clicks when SLACK_BOT_TOKEN is unset. */
  slack?: { token: string; apiUrl: string };
  /** The Salesforce emulator's org: accepted outside production when SALESFORCE_ORG_ID is unset. */
  salesforce?: { orgId: string };
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
  sandbox?: BridgeSandbox | null;
  log?: (entry: object) => void;
}): Promise<RunningBridge> {
  const address = opts.temporalAddress ?? addressOf(temporalSettings(opts.env));
  return listenFromEnv({
    env: opts.env,
    config: opts.config,
    taskQueue: opts.taskQueue,
    temporal: fixedTemporalGateway(opts.client, address),
    slack: slackResponderFor(opts.env, opts.sandbox?.slack ?? null),
    developmentSecrets: opts.sandbox?.salesforce ? { salesforceOrgId: opts.sandbox.salesforce.orgId } : {},
    log: opts.log,
  });
}

export async function listenFromEnv(opts: {
  env: Env;
  config: OrgConfig;
  taskQueue: string;
  temporal: TemporalGateway;
  slack: SlackResponder | undefined;
  developmentSecrets?: Partial<BridgeSecrets>;
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
    developmentSecrets: opts.developmentSecrets,
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
 * Who answers refused clicks: real Slack (or whatever SLACK_API_URL names) when SLACK_BOT_TOKEN is set; else the
 * sandbox's Slack emulator given by the caller; else nobody (refusals are only logged).
 */
export function slackResponderFor(
  env: Env,
  sandboxSlack: { token: string; apiUrl: string } | null,
): SlackResponder | undefined {
  if (env.SLACK_BOT_TOKEN) return createSlackResponder({ token: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL });
  if (sandboxSlack) return createSlackResponder({ token: sandboxSlack.token, apiUrl: sandboxSlack.apiUrl });
  return undefined;
}
