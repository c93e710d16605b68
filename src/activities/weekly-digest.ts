/**
 * The weekly digest's activities (src/workflows/weekly-digest.ts): the report from the handoff records in
 * Temporal visibility, then the digest to Slack (Block Kit, then the chart as a PNG file) and by email (HTML with
 * the chart inline). Created by a factory closing over the org configuration, a Temporal client and the report
 * channels (src/activities/ports.ts), like createHandoffActivities.
 *
 * Idempotency: the workflow derives every key from the week; the ports return the first result for a repeated
 * key (the Slack message by its metadata, the file by its keyed name, the email by its Message-ID).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { healthReport, shiftWeek, weekWindow, type HandoffRecord, type HealthReport } from '../domain/handoff-health';
import type { OrgConfig } from '../domain/org-config';
import type { DigestActivities } from '../workflows/activity-contracts';
import {
  chartAlt,
  ChartRenderError,
  DIGEST_CHART_CID,
  digestBlocks,
  digestChartFilename,
  digestChartPng,
  digestEmail,
  digestLabels,
  digestView,
  type DigestView,
} from './digest-render';
import { listHandoffRecords } from './handoff-records';
import type { Recipient, ReportChatPort, ReportEmailPort } from './ports';
import { toActivityFailure } from './service-error';

/**
 * Weeks of MQL volume in the digest (the chart's left panel). Four weeks stay inside the 30-day visibility
 * retention `npm start` gives its namespace; a cluster with a shorter retention shows fewer.
 */
export const DIGEST_VOLUME_WEEKS = 4;

export interface DigestActivityDeps {
  /** The org configuration; a function so a reload is picked up by the next digest. */
  config: () => OrgConfig;
  /** Client for Temporal visibility (same namespace as the worker). */
  temporal: Client;
  chat: ReportChatPort;
  email: ReportEmailPort;
  /** Where the handoff records come from; default Temporal visibility (listHandoffRecords). */
  records?: (from: Date, to: Date) => Promise<HandoffRecord[]>;
  /** The chart as PNG; default digestChartPng (resvg). */
  chart?: (view: DigestView) => Promise<Buffer>;
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toActivityFailure(e);
  }
}

/** Where the digest goes in Slack: the digest channel, the reviewer's channel, else the reviewer's DM. */
export function digestSlackDestination(config: OrgConfig): Recipient | { channel: string } {
  const channel = config.health.digest.slackChannel ?? config.reviewer.slackChannel;
  return channel ? { channel } : config.reviewer;
}

/** Who gets the email: `health.digest.emailTo`, else the reviewer. */
export function digestEmailRecipients(config: OrgConfig): { name?: string; email: string }[] {
  const to = config.health.digest.emailTo;
  return to.length ? to.map((email) => ({ email })) : [{ name: config.reviewer.name, email: config.reviewer.email }];
}

export function createDigestActivities(deps: DigestActivityDeps): DigestActivities {
  const { chat, email } = deps;
  const records = deps.records ?? ((from: Date, to: Date) => listHandoffRecords(deps.temporal, from, to));
  const renderChart = deps.chart ?? digestChartPng;
  const viewOf = (report: HealthReport): DigestView => digestView(report, digestLabels(deps.config()));
  const about = (report: HealthReport) => `weekly digest ${report.week}`;

  async function chartOf(view: DigestView): Promise<Buffer> {
    try {
      return await renderChart(view);
    } catch (e) {
      if (e instanceof ChartRenderError) {
        // A missing package or font: retrying will not install it.
        throw ApplicationFailure.create({ message: e.message, type: 'ConfigurationError', nonRetryable: true });
      }
      throw e;
    }
  }

  return {
    async loadHealthPolicy() {
      return deps.config().health;
    },

    async buildHealthReport({ week, now }) {
      const policy = deps.config().health;
      const zone = policy.digest.timeZone;
      let from: Date;
      let to: Date;
      try {
        from = weekWindow(shiftWeek(week, -(DIGEST_VOLUME_WEEKS - 1), zone), zone).start;
        to = weekWindow(week, zone).end;
      } catch (e) {
        throw ApplicationFailure.create({ message: (e as Error).message, type: 'InvalidInput', nonRetryable: true });
      }
      const at = new Date(now);
      if (Number.isNaN(at.getTime())) {
        throw ApplicationFailure.create({
          message: `now = ${JSON.stringify(now)}: expected an ISO-8601 time`,
          type: 'InvalidInput',
          nonRetryable: true,
        });
      }
      const list = await guarded(() => records(from, to));
      return healthReport(list, { week, policy, now: at, volumeWeeks: DIGEST_VOLUME_WEEKS });
    },

    async postDigestToSlack({ report, key }) {
      const content = digestBlocks(viewOf(report));
      const to = digestSlackDestination(deps.config());
      const ref = await guarded(() => chat.postReport({ to, content, key, about: about(report) }));
      return { channel: ref.channel, ts: ref.ts };
    },

    async uploadDigestChart({ report, channel, key }) {
      const view = viewOf(report);
      const png = await chartOf(view);
      const shared = await guarded(() =>
        chat.shareFile({
          channel,
          file: {
            bytes: png,
            filename: digestChartFilename(report.week),
            title: `Handoff health ${report.week}`,
            altText: chartAlt(view).slice(0, 1000),
          },
          key,
          about: about(report),
        }),
      );
      return { channel: shared.channel, fileId: shared.fileId, bytes: png.length };
    },

    async emailDigest({ report, key }) {
      const config = deps.config();
      const view = viewOf(report);
      // Without a chart renderer the email still goes out, with the figures alone (the chart's upload to Slack
      // fails on its own and names what is missing).
      const png = await renderChart(view).catch((e: unknown) => {
        if (e instanceof ChartRenderError) return null;
        throw e;
      });
      const content = digestEmail(view, { chart: png !== null });
      const to = digestEmailRecipients(config);
      const attachments = png
        ? [
            {
              filename: digestChartFilename(report.week),
              contentType: 'image/png',
              cid: DIGEST_CHART_CID,
              content: png,
            },
          ]
        : [];
      const ref = await guarded(() => email.sendReport({ to, ...content, attachments, key, about: about(report) }));
      return { messageId: ref.id, recipients: to.length };
    },
  };
}
