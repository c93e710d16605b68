/**
 * The sandbox: local emulators of HubSpot, Salesforce, Slack and SMTP that speak the real wire formats, seeded with
 * a demo org that matches the org configuration. `npm start` runs the ones whose service has no credentials; the
 * tests start them on free ports.
 */
import path from 'node:path';
import type { OrgConfig } from '../domain/org-config';
import { FaultSpecError, startEmulator, type Emulator } from './emulator-kit';
import { startHubSpotEmulator, type HubSpotEmulator } from './hubspot/emulator';
import { startSalesforceEmulator, type SalesforceEmulator } from './salesforce/emulator';
import { SANDBOX_NURTURE_QUEUE_ID } from './salesforce/seed';
import { startSlackEmulator, type SlackEmulator } from './slack/slack-emulator';
import { startSmtpSink, type SmtpRandomFaults, type SmtpSink } from './smtp/smtp-sink';

export type SandboxService = 'hubspot' | 'salesforce' | 'slack' | 'email';

/** `npm start` runs the emulators from this base port (SANDBOX_BASE_PORT overrides it), each at its offset. */
export const DEFAULT_SANDBOX_BASE_PORT = 4100;
export const SANDBOX_PORT_OFFSETS = { hubspot: 1, salesforce: 2, slack: 3, smtp: 25, mailbox: 26 } as const;
export const SANDBOX_SERVICES: SandboxService[] = ['hubspot', 'salesforce', 'slack', 'email'];

export interface Sandbox {
  hubspot?: HubSpotEmulator;
  salesforce?: SalesforceEmulator & { nurtureQueueId: string };
  slack?: SlackEmulator;
  smtp?: SmtpSink;
  /** Read-only JSON view of the mail the SMTP sink received (`GET /_sandbox/state`). */
  mailbox?: Emulator;
  /** One line per running emulator, for the start-up banner. */
  describe(): string[];
  close(): Promise<void>;
}

export interface SandboxOptions {
  config: OrgConfig;
  /** Which emulators to run (default all). */
  services?: SandboxService[];
  /** Fixed ports from here (SANDBOX_PORT_OFFSETS); free ports when absent. */
  basePort?: number;
  /**
   * Keep the Slack workspace (DMs, messages, files) in `<stateDir>/slack.json`, so a restarted sandbox still has the
   * messages live handoffs point at (`npm start`: `<data dir>/sandbox`). In memory when absent (the tests).
   */
  stateDir?: string;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const want = new Set(opts.services ?? SANDBOX_SERVICES);
  const port = (offset: number): number | undefined => (opts.basePort ? opts.basePort + offset : undefined);
  const sandbox: Sandbox = {
    describe: () => [],
    close: async () => undefined,
  };
  const closers: (() => Promise<void>)[] = [];
  try {
    if (want.has('hubspot')) {
      sandbox.hubspot = await startHubSpotEmulator({ port: port(SANDBOX_PORT_OFFSETS.hubspot), config: opts.config });
      closers.push(() => sandbox.hubspot!.close());
    }
    if (want.has('salesforce')) {
      const sf = await startSalesforceEmulator({ port: port(SANDBOX_PORT_OFFSETS.salesforce), config: opts.config });
      sandbox.salesforce = Object.assign(sf, { nurtureQueueId: SANDBOX_NURTURE_QUEUE_ID });
      closers.push(() => sf.close());
    }
    if (want.has('slack')) {
      sandbox.slack = await startSlackEmulator({
        port: port(SANDBOX_PORT_OFFSETS.slack),
        config: opts.config,
        ...(opts.stateDir ? { stateFile: path.join(opts.stateDir, 'slack.json') } : {}),
      });
      closers.push(() => sandbox.slack!.close());
    }
    if (want.has('email')) {
      const smtp = await startSmtpSink({ port: port(SANDBOX_PORT_OFFSETS.smtp) });
      sandbox.smtp = smtp;
      closers.push(() => smtp.close());
      sandbox.mailbox = await startEmulator({
        name: 'mailbox',
        port: port(SANDBOX_PORT_OFFSETS.mailbox),
        routes: (app) => {
          // The SMTP sink's random failures over HTTP, as the HTTP emulators' POST /_sandbox/faults { random }.
          app.get('/_sandbox/smtp-faults', async () => smtp.faultStats());
          app.post('/_sandbox/smtp-faults', async (req, reply) => {
            try {
              smtp.setRandomFaults((req.body as { random?: unknown } | undefined)?.random as SmtpRandomFaults);
            } catch (e) {
              if (e instanceof FaultSpecError) return reply.code(400).send({ error: e.message });
              throw e;
            }
            return smtp.faultStats();
          });
          app.delete('/_sandbox/smtp-faults', async () => {
            smtp.clearRandomFaults();
            return smtp.faultStats();
          });
        },
        rateLimited: (reply, seconds) =>
          reply.code(429).header('Retry-After', String(seconds)).send({ error: 'rate limited' }),
        serverError: (reply, status) => reply.code(status).send({ error: 'server error' }),
        state: () => ({ messages: smtp.messages(), smtpFaults: smtp.faultStats() }),
        reset: () => smtp.clear(),
      });
      closers.push(() => sandbox.mailbox!.close());
    }
  } catch (e) {
    await Promise.allSettled(closers.map((c) => c()));
    throw e;
  }
  sandbox.close = async () => {
    await Promise.allSettled(closers.reverse().map((c) => c()));
  };
  sandbox.describe = () =>
    [
      sandbox.hubspot && `HubSpot emulator     ${sandbox.hubspot.url}  (state: ${sandbox.hubspot.url}/_sandbox/state)`,
      sandbox.salesforce &&
        `Salesforce emulator  ${sandbox.salesforce.url}  (state: ${sandbox.salesforce.url}/_sandbox/state)`,
      sandbox.slack &&
        `Slack emulator       ${sandbox.slack.apiUrl}  (state: ${sandbox.slack.url}/_sandbox/state${opts.stateDir ? `, kept in ${path.join(opts.stateDir, 'slack.json')}` : ''})`,
      sandbox.smtp && `SMTP sink            ${sandbox.smtp.url}  (mail: ${sandbox.mailbox?.url}/_sandbox/state)`,
    ].filter((x): x is string => Boolean(x));
  return sandbox;
}
