/**
 * The composition root: builds the ports from the environment, service by service. A service whose credentials
 * are set is used as given; the others use the endpoints a sandbox offers (when the entry point started one:
 * `npm start` does, the worker image never does). A team can try real Slack first and keep the CRMs on the sandbox.
 *
 * It knows the sandbox only by the shape below, so the worker's build contains no emulator code.
 */
import { createEmailSender, type EmailSenderOptions } from '../activities/email/email-sender';
import { SentRecordError } from '../activities/email/sent-record';
import { createHubSpotAdapters } from '../activities/hubspot';
import type { Ports } from '../activities/ports';
import {
  createSalesforceAdapters,
  salesforceOptionsFromEnv,
  type SalesforceAdapterOptions,
} from '../activities/salesforce';
import { createSlackChat } from '../activities/slack/slack-chat';
import type { Env } from '../config/env';
import type { OrgConfig } from '../domain/org-config';

export type { Ports } from '../activities/ports';

export type Service = 'hubspot' | 'salesforce' | 'slack' | 'email';
export const SERVICES: readonly Service[] = ['hubspot', 'salesforce', 'slack', 'email'];

/** Where a sandbox's emulators are and the credentials they accept (src/sandbox's `Sandbox` has this shape). */
export interface SandboxEndpoints {
  hubspot?: { url: string; accessToken: string };
  salesforce?: {
    url: string;
    credentials: { clientId: string; clientSecret: string; refreshToken: string; username: string; password: string };
    nurtureQueueId: string;
  };
  slack?: { apiUrl: string; token: string };
  smtp?: { url: string };
}

/** Which services have credentials in the environment; the rest need the sandbox. */
export function configuredServices(env: Env): Record<Service, boolean> {
  return {
    hubspot: Boolean(env.HUBSPOT_ACCESS_TOKEN),
    salesforce: Boolean(env.SALESFORCE_CLIENT_ID || env.SALESFORCE_USERNAME),
    slack: Boolean(env.SLACK_BOT_TOKEN),
    email: Boolean(env.SMTP_URL),
  };
}

export function servicesNeedingSandbox(env: Env): Service[] {
  const configured = configuredServices(env);
  return SERVICES.filter((service) => !configured[service]);
}

export class MissingServiceError extends Error {
  constructor(service: Service, variables: string) {
    super(`${service} is not configured and no sandbox is running: set ${variables}`);
    this.name = 'MissingServiceError';
  }
}

export const SERVICE_VARIABLES: Record<Service, string> = {
  hubspot: 'HUBSPOT_ACCESS_TOKEN (and HUBSPOT_BASE_URL for a non-default endpoint)',
  salesforce: 'SALESFORCE_CLIENT_ID with SALESFORCE_REFRESH_TOKEN or SALESFORCE_USERNAME/SALESFORCE_PASSWORD',
  slack: 'SLACK_BOT_TOKEN',
  email: 'SMTP_URL and EMAIL_FROM',
};

/** Where each service is, for the start-up banner (no secrets). */
export function describeServices(env: Env, sandbox: SandboxEndpoints | null): Record<Service, string> {
  const configured = configuredServices(env);
  return {
    hubspot: configured.hubspot
      ? `HubSpot ${env.HUBSPOT_BASE_URL ?? 'https://api.hubapi.com'}`
      : `sandbox ${sandbox?.hubspot?.url}`,
    salesforce: configured.salesforce
      ? `Salesforce ${env.SALESFORCE_INSTANCE_URL ?? env.SALESFORCE_LOGIN_URL ?? 'https://login.salesforce.com'}`
      : `sandbox ${sandbox?.salesforce?.url}`,
    slack: configured.slack
      ? `Slack ${env.SLACK_API_URL ?? 'https://slack.com/api/'}`
      : `sandbox ${sandbox?.slack?.apiUrl}`,
    email: configured.email ? 'SMTP (SMTP_URL)' : `sandbox ${sandbox?.smtp?.url}`,
  };
}

export interface WiringOptions {
  /** Start-up warnings: configuration that is valid but will not do what it says. Default: standard error. */
  warn?: (message: string) => void;
  /**
   * The email sent-record to use when EMAIL_SENT_RECORD names none (the launcher: the data folder's
   * email-sent.jsonl). If it cannot be written, a warning and dedupe in memory only; an EMAIL_SENT_RECORD that
   * cannot be written stops start-up. With neither, email dedupe is in memory only (tests).
   */
  sentRecordDefault?: string;
}

export function createPorts(
  env: Env,
  config: OrgConfig,
  sandbox: SandboxEndpoints | null,
  opts: WiringOptions = {},
): Ports {
  const warn = opts.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const configured = configuredServices(env);
  const need = <T>(service: Service, value: T | undefined): T => {
    if (value === undefined) throw new MissingServiceError(service, SERVICE_VARIABLES[service]);
    return value;
  };

  const hubspot = createHubSpotAdapters(
    configured.hubspot
      ? { accessToken: env.HUBSPOT_ACCESS_TOKEN!, baseUrl: env.HUBSPOT_BASE_URL, config }
      : {
          accessToken: need('hubspot', sandbox?.hubspot).accessToken,
          baseUrl: need('hubspot', sandbox?.hubspot).url,
          config,
        },
  );

  const wantsSalesforce = config.salesCrm === 'salesforce' || config.notifications.mobilePush;
  let salesforce: ReturnType<typeof createSalesforceAdapters> | null = null;
  if (wantsSalesforce && (configured.salesforce || sandbox?.salesforce)) {
    const opts: SalesforceAdapterOptions = configured.salesforce
      ? salesforceOptionsFromEnv(stringEnv(env), config)
      : {
          loginUrl: sandbox!.salesforce!.url,
          instanceUrl: sandbox!.salesforce!.url,
          ...sandbox!.salesforce!.credentials,
          nurtureOwnerId: sandbox!.salesforce!.nurtureQueueId,
          config,
        };
    salesforce = createSalesforceAdapters(opts);
  } else if (config.salesCrm === 'salesforce') {
    throw new MissingServiceError('salesforce', SERVICE_VARIABLES.salesforce);
  } else if (config.notifications.mobilePush) {
    // Valid, and the default, but it does nothing here: say so once, now, rather than never push in silence.
    warn(
      'notifications.mobilePush is on but no Salesforce is configured: mobile push is a Salesforce custom ' +
        'notification to the rep, so high-priority leads get no push (Slack and email are unaffected). Set ' +
        `${SERVICE_VARIABLES.salesforce} to push, or notifications.mobilePush: false in the org config to say you do not.`,
    );
  }

  const chat = configured.slack
    ? createSlackChat({ token: env.SLACK_BOT_TOKEN!, apiUrl: env.SLACK_API_URL })
    : createSlackChat({ token: need('slack', sandbox?.slack).token, apiUrl: need('slack', sandbox?.slack).apiUrl });

  const email = emailSender(
    {
      smtpUrl: configured.email ? env.SMTP_URL! : need('email', sandbox?.smtp).url,
      from:
        env.EMAIL_FROM ??
        `MQL handoff <handoff@${config.organization.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example>`,
    },
    env.EMAIL_SENT_RECORD,
    opts.sentRecordDefault,
    warn,
  );

  return {
    marketing: hubspot.marketing,
    sales: config.salesCrm === 'salesforce' ? salesforce!.sales : hubspot.sales,
    chat,
    email,
    push: salesforce?.push,
    reports: { chat, email },
  };
}

/** The email sender on its sent-record: EMAIL_SENT_RECORD must be writable; the default may fall back to memory. */
function emailSender(
  base: EmailSenderOptions,
  explicit: string | undefined,
  fallback: string | undefined,
  warn: (message: string) => void,
): ReturnType<typeof createEmailSender> {
  const sentRecord = explicit ?? fallback;
  if (sentRecord === undefined) return createEmailSender(base);
  const onRecordError = (e: Error) =>
    warn(`an email went out but could not be recorded in ${sentRecord} (a restart may send it again): ${e.message}`);
  try {
    return createEmailSender({ ...base, sentRecord, onRecordError });
  } catch (e) {
    if (!(e instanceof SentRecordError) || explicit !== undefined) throw e;
    warn(
      `email dedupe is in this process's memory only, so a restarted worker may send an email again: ${e.message}. ` +
        'Set EMAIL_SENT_RECORD to a writable file (on a volume the workers share) to keep it across restarts.',
    );
    return createEmailSender(base);
  }
}

/** The validated environment as the adapters' option readers take it (strings by variable name). */
function stringEnv(env: Env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === undefined ? undefined : String(v)]));
}
