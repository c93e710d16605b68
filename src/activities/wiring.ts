/**
 * Builds the ports from the environment, service by service: a service whose credentials are set is used as
 * given; the others point at the sandbox emulators (when a sandbox is running). A team can try real Slack first
 * and keep the CRMs on the sandbox.
 */
import type { Env } from '../config/env';
import type { OrgConfig } from '../domain/org-config';
import type { Sandbox, SandboxService } from '../sandbox';
import { createEmailSender } from './email/email-sender';
import { createHubSpotAdapters } from './hubspot';
import type { ChatPort, EmailPort, MarketingCrm, PushPort, SalesCrm } from './ports';
import { createSalesforceAdapters, salesforceOptionsFromEnv, type SalesforceAdapterOptions } from './salesforce';
import { createSlackChat } from './slack/slack-chat';

export interface Ports {
  marketing: MarketingCrm;
  sales: SalesCrm;
  chat: ChatPort;
  email: EmailPort;
  push?: PushPort;
}

/** Which services have credentials in the environment; the rest need the sandbox. */
export function configuredServices(env: Env): Record<SandboxService, boolean> {
  return {
    hubspot: Boolean(env.HUBSPOT_ACCESS_TOKEN),
    salesforce: Boolean(env.SALESFORCE_CLIENT_ID || env.SALESFORCE_USERNAME),
    slack: Boolean(env.SLACK_BOT_TOKEN),
    email: Boolean(env.SMTP_URL),
  };
}

export function servicesNeedingSandbox(env: Env): SandboxService[] {
  return Object.entries(configuredServices(env))
    .filter(([, configured]) => !configured)
    .map(([service]) => service as SandboxService);
}

export class MissingServiceError extends Error {
  constructor(service: SandboxService, variables: string) {
    super(`${service} is not configured and no sandbox is running: set ${variables}`);
    this.name = 'MissingServiceError';
  }
}

const SERVICE_VARIABLES: Record<SandboxService, string> = {
  hubspot: 'HUBSPOT_ACCESS_TOKEN (and HUBSPOT_BASE_URL for a non-default endpoint)',
  salesforce: 'SALESFORCE_CLIENT_ID with SALESFORCE_REFRESH_TOKEN or SALESFORCE_USERNAME/SALESFORCE_PASSWORD',
  slack: 'SLACK_BOT_TOKEN',
  email: 'SMTP_URL and EMAIL_FROM',
};

/** Where each service is, for the start-up banner (no secrets). */
export function describeServices(env: Env, sandbox: Sandbox | null): Record<SandboxService, string> {
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

export function createPorts(env: Env, config: OrgConfig, sandbox: Sandbox | null): Ports {
  const configured = configuredServices(env);
  const need = <T>(service: SandboxService, value: T | undefined): T => {
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
  }

  const chat = configured.slack
    ? createSlackChat({ token: env.SLACK_BOT_TOKEN!, apiUrl: env.SLACK_API_URL })
    : createSlackChat({ token: need('slack', sandbox?.slack).token, apiUrl: need('slack', sandbox?.slack).apiUrl });

  const email = createEmailSender({
    smtpUrl: configured.email ? env.SMTP_URL! : need('email', sandbox?.smtp).url,
    from:
      env.EMAIL_FROM ??
      `MQL handoff <handoff@${config.organization.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example>`,
  });

  return {
    marketing: hubspot.marketing,
    sales: config.salesCrm === 'salesforce' ? salesforce!.sales : hubspot.sales,
    chat,
    email,
    push: salesforce?.push,
  };
}

/** The validated environment as the adapters' option readers take it (strings by variable name). */
function stringEnv(env: Env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === undefined ? undefined : String(v)]));
}
