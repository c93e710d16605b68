/**
 * The Salesforce adapters: `sales` (SalesCrm, system 'salesforce') and `push` (PushPort, custom notifications),
 * sharing one jsforce connection. Options are checked when the adapters are built, so a missing credential or
 * setting stops the worker at start-up with the option (and env variable) named, not days later on a rejection.
 * See README.md in this folder for what the org and the connected app need.
 */
import type { OrgConfig } from '../../domain/org-config';
import type { PushPort, SalesCrm } from '../ports';
import { SalesforceClient, type SalesforceCredentials } from './client';
import { SalesforcePush } from './push';
import { isRecordId, QUEUE_PREFIX, USER_PREFIX } from './records';
import { SalesforceSalesCrm } from './sales-crm';

export { handoffKeyValue, soqlContains, soqlString } from './records';
export { SalesforceHttpError } from './transport';

export interface SalesforceAdapterOptions extends SalesforceCredentials {
  /** REST API version, 46.0 or later (custom notifications, upsert answering 200). Default 62.0. */
  apiVersion?: string;
  config: OrgConfig;
  /**
   * Owner of a rejected lead's record, since Salesforce requires one: e.g. the "Marketing Nurture" queue (00G…),
   * or a user (005…) — Contacts cannot be owned by queues. Env SALESFORCE_NURTURE_QUEUE_ID.
   */
  nurtureOwnerId?: string;
  /** Stage of the opportunity created for a high-intent MQL. Default "Qualification". */
  opportunityStage?: string;
  /** Opportunity close date, days after creation. Default 30. */
  opportunityCloseDays?: number;
  /** Lead.Status written with the owner. Default: config.salesforce.leadStatuses.assigned ("Open - Not Contacted"). */
  leadStatus?: string;
  /** LeadSource written on Lead/Contact/Opportunity. Default "Web". */
  leadSource?: string;
  /** Task.Priority of the follow-up task. Default "Normal". */
  taskPriority?: 'High' | 'Normal' | 'Low';
  /** Text field on Task holding the idempotency key. Default Handoff_Key__c. */
  taskKeyField?: string;
  /** External ID + Unique text field on Opportunity holding the idempotency key. Default Handoff_Key__c. */
  opportunityKeyField?: string;
  /** Per request. Default 30 s. */
  requestTimeoutMs?: number;
  /** Wait after 403 REQUEST_LIMIT_EXCEEDED (the org's daily API limit has no Retry-After). Default 300 s. */
  requestLimitRetryAfterSeconds?: number;
  /**
   * After a 429, how long (ms) a call may wait in-process for the Retry-After window, which holds every request of
   * this connection, to close; a longer window fails the call at once, unsent, as RateLimited. Default 5 000.
   */
  retryAfterWaitMs?: number;
}

export interface SalesforceAdapters {
  sales: SalesCrm;
  push: PushPort;
}

export class SalesforceConfigError extends Error {
  constructor(message: string) {
    super(`Salesforce adapter: ${message}`);
    this.name = 'SalesforceConfigError';
  }
}

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export function createSalesforceAdapters(opts: SalesforceAdapterOptions): SalesforceAdapters {
  const recordType = opts.config.salesforce.recordType;
  const apiVersion = opts.apiVersion ?? '62.0';
  checkConnection(opts, apiVersion);

  const nurtureOwnerId = opts.nurtureOwnerId;
  const ownerPrefixes = recordType === 'Lead' ? [USER_PREFIX, QUEUE_PREFIX] : [USER_PREFIX];
  if (!isRecordId(nurtureOwnerId, ...ownerPrefixes)) {
    throw new SalesforceConfigError(
      `nurtureOwnerId (env SALESFORCE_NURTURE_QUEUE_ID) = ${JSON.stringify(nurtureOwnerId)}: expected ${
        recordType === 'Lead'
          ? 'a queue id (00G…) or user id (005…)'
          : 'a user id (005…): Contacts cannot be owned by queues'
      }. Salesforce requires an owner, so rejected leads are handed to it.`,
    );
  }
  const taskKeyField = opts.taskKeyField ?? 'Handoff_Key__c';
  const opportunityKeyField = opts.opportunityKeyField ?? 'Handoff_Key__c';
  const fields = opts.config.salesforce.fields;
  for (const [name, value] of [
    ['taskKeyField', taskKeyField],
    ['opportunityKeyField', opportunityKeyField],
    ['config.salesforce.externalIdField', opts.config.salesforce.externalIdField],
    ['config.salesforce.fields.rejectionReason', fields.rejectionReason],
    ['config.salesforce.fields.sqlDate', fields.sqlDate],
    ['config.salesforce.fields.lossReason', fields.lossReason],
  ] as const) {
    if (!FIELD_NAME.test(value)) {
      throw new SalesforceConfigError(
        `${name} = ${JSON.stringify(value)}: expected a field API name such as Handoff_Key__c`,
      );
    }
  }
  const notificationTypeId = opts.config.salesforce.notificationTypeId;
  if (opts.config.notifications.mobilePush && !isRecordId(notificationTypeId, '0ML')) {
    throw new SalesforceConfigError(
      `config.salesforce.notificationTypeId = ${JSON.stringify(notificationTypeId)}: expected a CustomNotificationType id (0ML…), needed because notifications.mobilePush is on`,
    );
  }
  if (opts.config.salesforce.convertOnAccept && recordType !== 'Lead') {
    throw new SalesforceConfigError(
      'config.salesforce.convertOnAccept is on but config.salesforce.recordType is "Contact": only a Lead can be converted',
    );
  }
  const closeDays = opts.opportunityCloseDays ?? 30;
  if (!Number.isInteger(closeDays) || closeDays < 1) {
    throw new SalesforceConfigError(`opportunityCloseDays = ${closeDays}: expected a whole number of days ≥ 1`);
  }

  const client = new SalesforceClient({
    ...opts,
    apiVersion,
    requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    requestLimitRetryAfterSeconds: opts.requestLimitRetryAfterSeconds ?? 300,
  });
  return {
    sales: new SalesforceSalesCrm(client, {
      config: opts.config,
      nurtureOwnerId: nurtureOwnerId,
      opportunityStage: opts.opportunityStage ?? 'Qualification',
      opportunityCloseDays: closeDays,
      leadStatus: opts.leadStatus ?? opts.config.salesforce.leadStatuses.assigned,
      leadSource: opts.leadSource ?? 'Web',
      taskPriority: opts.taskPriority ?? 'Normal',
      taskKeyField,
      opportunityKeyField,
    }),
    push: new SalesforcePush(client, { notificationTypeId, taskKeyField }),
  };
}

function checkConnection(opts: SalesforceAdapterOptions, apiVersion: string): void {
  for (const [name, env, value] of [
    ['loginUrl', 'SALESFORCE_LOGIN_URL', opts.loginUrl],
    ['instanceUrl', 'SALESFORCE_INSTANCE_URL', opts.instanceUrl],
  ] as const) {
    if (value === undefined && name === 'instanceUrl') continue;
    if (!/^https?:\/\/[^/\s]+/.test(value ?? '')) {
      throw new SalesforceConfigError(
        `${name} (env ${env}) = ${JSON.stringify(value)}: expected a URL such as https://login.salesforce.com`,
      );
    }
  }
  const m = /^(\d+)\.0$/.exec(apiVersion);
  if (!m || Number(m[1]) < 46) {
    throw new SalesforceConfigError(
      `apiVersion = ${JSON.stringify(apiVersion)}: expected a REST API version such as "62.0" (46.0 or later)`,
    );
  }
  if (opts.username !== undefined && opts.password === undefined) {
    throw new SalesforceConfigError(
      'username (env SALESFORCE_USERNAME) is set but password (env SALESFORCE_PASSWORD) is not',
    );
  }
  if (opts.refreshToken || opts.username) {
    if (!opts.clientId) {
      throw new SalesforceConfigError(
        'clientId (env SALESFORCE_CLIENT_ID) is required to obtain a session: the connected app consumer key',
      );
    }
    if (!opts.refreshToken && !opts.clientSecret) {
      throw new SalesforceConfigError(
        'clientSecret (env SALESFORCE_CLIENT_SECRET) is required for the username-password flow: the connected app consumer secret',
      );
    }
    return;
  }
  if (opts.accessToken && opts.instanceUrl) return;
  throw new SalesforceConfigError(
    'no credentials: set refreshToken (env SALESFORCE_REFRESH_TOKEN) or username and password (env SALESFORCE_USERNAME, SALESFORCE_PASSWORD), with clientId and clientSecret',
  );
}

/** Reads the SALESFORCE_* environment variables; empty values count as absent. */
export function salesforceOptionsFromEnv(env: NodeJS.ProcessEnv, config: OrgConfig): SalesforceAdapterOptions {
  const get = (name: string): string | undefined => (env[name]?.trim() ? env[name]!.trim() : undefined);
  return {
    loginUrl: get('SALESFORCE_LOGIN_URL') ?? 'https://login.salesforce.com',
    instanceUrl: get('SALESFORCE_INSTANCE_URL'),
    clientId: get('SALESFORCE_CLIENT_ID'),
    clientSecret: get('SALESFORCE_CLIENT_SECRET'),
    refreshToken: get('SALESFORCE_REFRESH_TOKEN'),
    username: get('SALESFORCE_USERNAME'),
    password: get('SALESFORCE_PASSWORD'),
    apiVersion: get('SALESFORCE_API_VERSION'),
    nurtureOwnerId: get('SALESFORCE_NURTURE_QUEUE_ID'),
    config,
  };
}
