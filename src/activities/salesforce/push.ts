/**
 * Mobile push through Salesforce's standard invocable action `customNotificationAction`.
 *
 * Salesforce keeps no record of sent custom notifications that could be looked up by key, so the adapter writes a
 * receipt first: a completed Task carrying the idempotency key (Task.Handoff_Key__c), linked to the lead's record,
 * owned by the integration user. Then it sends.
 *
 *  - a retry that finds the receipt does not send again (crash or dropped connection after the send: one push)
 *  - when Salesforce answered with an error, or the connection was never made, nothing was sent: the receipt is
 *    deleted so the retry sends
 *  - when the outcome is unknown (reset or timeout after the request left), the receipt stays: the push is sent at
 *    most once. It is the backup channel (Slack DM and email carry the same brief), so a lost push beats a duplicate.
 */
import type { Connection } from 'jsforce';
import type { ExternalRef, PushPort } from '../ports';
import type { SalesforceClient } from './client';
import { certainlyNotApplied, type OperationContext } from './errors';
import { SalesforceHttpError } from './transport';
import {
  ACCOUNT_PREFIX,
  CONTACT_PREFIX,
  idByKey,
  invalidInput,
  isAnyRecordId,
  isRecordId,
  LEAD_PREFIX,
  OPPORTUNITY_PREFIX,
  requireHandoffKey,
  USER_PREFIX,
} from './records';

export interface SalesforcePushOptions {
  /** CustomNotificationType id (0ML…); absent when the deployment turned mobile push off. */
  notificationTypeId: string | undefined;
  /** Text field on Task holding the idempotency key. */
  taskKeyField: string;
}

interface ActionResult {
  isSuccess: boolean;
  errors: { statusCode?: string; message?: string; fields?: string[] }[] | null;
}

/** Where the notification opens when there is no record: the Salesforce home page. */
const HOME_PAGE_REF = JSON.stringify({ type: 'standard__namedPage', attributes: { pageName: 'home' } });
const TITLE_MAX = 250;
const BODY_MAX = 750;

export class SalesforcePush implements PushPort {
  constructor(
    private readonly sf: SalesforceClient,
    private readonly opts: SalesforcePushOptions,
  ) {}

  async notifyRep(input: {
    salesforceUserId: string;
    title: string;
    body: string;
    targetId?: string;
    key: string;
  }): Promise<ExternalRef> {
    const operation = 'send mobile notification';
    const notificationTypeId = this.opts.notificationTypeId;
    if (!notificationTypeId) {
      throw invalidInput(
        operation,
        'config.salesforce.notificationTypeId',
        undefined,
        'a CustomNotificationType id (0ML…)',
      );
    }
    if (!isRecordId(input.salesforceUserId, USER_PREFIX)) {
      throw invalidInput(operation, 'salesforceUserId', input.salesforceUserId, 'a Salesforce user id (005…)');
    }
    if (input.targetId !== undefined && !isAnyRecordId(input.targetId)) {
      throw invalidInput(operation, 'targetId', input.targetId, 'a Salesforce record id (15 or 18 characters)');
    }
    if (!input.title.trim()) throw invalidInput(operation, 'title', '', 'a non-empty title');
    if (!input.body.trim()) throw invalidInput(operation, 'body', '', 'a non-empty body');
    const key = requireHandoffKey(operation, input.key);
    const keyField = this.opts.taskKeyField;
    const title = input.title.trim().slice(0, TITLE_MAX);
    const body = input.body.trim().slice(0, BODY_MAX);
    const ctx: OperationContext = {
      operation,
      object: `user ${input.salesforceUserId}, receipt Task ${keyField}=${key}`,
      sent: { title, body },
    };

    return this.sf.run(ctx, async (conn) => {
      const earlierReceiptId = await idByKey(conn, 'Task', keyField, key);
      if (earlierReceiptId) return this.ref(earlierReceiptId);

      const receiptId = await this.writeReceipt(conn, input.salesforceUserId, title, input.targetId, key);
      try {
        const results = await conn.requestPost<ActionResult[]>('/actions/standard/customNotificationAction', {
          inputs: [
            {
              customNotifTypeId: notificationTypeId,
              recipientIds: [input.salesforceUserId],
              title,
              body,
              ...(input.targetId ? { targetId: input.targetId } : { targetPageRef: HOME_PAGE_REF }),
            },
          ],
        });
        const failed = results.find((r) => !r.isSuccess);
        if (failed) {
          // A 200 with a failed result: same meaning as Salesforce's 400 answer.
          throw new SalesforceHttpError('POST', 400, {}, JSON.stringify([failed]), false);
        }
      } catch (e) {
        if (certainlyNotApplied(e))
          await conn
            .sobject('Task')
            .destroy(receiptId)
            .catch(() => undefined);
        throw e;
      }
      return this.ref(receiptId);
    });
  }

  private async writeReceipt(
    conn: Connection,
    userId: string,
    title: string,
    targetId: string | undefined,
    key: string,
  ): Promise<string> {
    const link = isRecordId(targetId, LEAD_PREFIX, CONTACT_PREFIX)
      ? { WhoId: targetId }
      : isRecordId(targetId, ACCOUNT_PREFIX, OPPORTUNITY_PREFIX)
        ? { WhatId: targetId }
        : {};
    const result = await conn.sobject('Task').create({
      Subject: `Mobile notification sent: ${title}`.slice(0, 255),
      Description: `Mobile push to user ${userId}, sent by the MQL handoff. Not an activity by the rep.`,
      Status: 'Completed',
      Priority: 'Normal',
      ActivityDate: new Date().toISOString().slice(0, 10),
      ...link,
      [this.opts.taskKeyField]: key,
    });
    if (!result.success) throw new Error(`create of the notification receipt Task returned no id`);
    return result.id;
  }

  private ref(receiptTaskId: string): ExternalRef {
    return { system: 'push', objectType: 'Task', id: receiptTaskId, url: this.sf.recordUrl('Task', receiptTaskId) };
  }
}
