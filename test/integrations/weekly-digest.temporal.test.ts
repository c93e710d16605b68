/**
 * The weekly digest end to end on the dev server: the weeklyDigest workflow with the real activities, the real
 * Slack and SMTP clients and the sandbox emulators, over the hand-placed week of test/support/health-week.ts
 * (fed to the report activity in place of Temporal visibility, whose other handoffs would change the counts).
 * The Slack message shows the five metric lines with their targets, the chart follows as a PNG file, the email
 * has the same figures with the same chart inline; a second run for the same week sends nothing new.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { ChartRenderError } from '../../src/activities/digest-render';
import { createDigestActivities, type DigestActivityDeps } from '../../src/activities/weekly-digest';
import { loadEnv } from '../../src/config/env';
import { isoWeekOf, shiftWeek, type HandoffRecord } from '../../src/domain/handoff-health';
import type { OrgConfig } from '../../src/domain/org-config';
import { ensureDigestSchedule } from '../../src/main/digest-schedule';
import { createPorts } from '../../src/main/wiring';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import type { weeklyDigest } from '../../src/workflows/weekly-digest';
import { createTestWorker, devServerEnv, uniqueTaskQueue } from '../harness/temporal';
import { eventually } from '../support/eventually';
import { sampleOrg } from '../support/handoff-fixture';
import { HAND_PLACED_SLACK_LINES, HAND_PLACED_WEEK, handPlacedRecords } from '../support/health-week';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const REVIEW = 'C0REVOPS01'; // the reviewer's channel: the sample org sets no digest channel
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Ctx {
  sandbox: Sandbox;
  taskQueue: string;
  asked: [string, string][];
  run: (args: Parameters<typeof weeklyDigest>[0], id?: string) => Promise<Awaited<ReturnType<typeof weeklyDigest>>>;
}

async function withDigest(
  config: OrgConfig,
  fn: (ctx: Ctx) => Promise<void>,
  opts: { chart?: DigestActivityDeps['chart'] } = {},
) {
  const sandbox = await startSandbox({ config });
  try {
    const ports = createPorts(loadEnv({}), config, sandbox);
    const taskQueue = uniqueTaskQueue('digest');
    const asked: [string, string][] = [];
    const activities = createDigestActivities({
      config: () => config,
      temporal: env.client,
      ...ports.reports!,
      records: async (from: Date, to: Date): Promise<HandoffRecord[]> => {
        asked.push([from.toISOString(), to.toISOString()]);
        return handPlacedRecords();
      },
      ...(opts.chart ? { chart: opts.chart } : {}),
    });
    const worker = await createTestWorker(env, { activities, taskQueue });
    let n = 0;
    const run: Ctx['run'] = (args, id) =>
      env.client.workflow.execute<typeof weeklyDigest>('weeklyDigest', {
        taskQueue,
        workflowId: id ?? `${taskQueue}-digest-${++n}`,
        args: [args],
      });
    await worker.runUntil(fn({ sandbox, taskQueue, asked, run }));
  } finally {
    await sandbox.close();
  }
}

function metricLines(blocks: unknown[] | undefined): string[] {
  const b = (blocks ?? []).find((x) => (x as { block_id?: string }).block_id === 'digest_metrics') as
    | { text: { text: string } }
    | undefined;
  return b ? b.text.text.split('\n') : [];
}

test('a digest for 2026-W48 in Slack (message, then the chart) and by email; a second run sends nothing new', async () => {
  await withDigest(sampleOrg(), async ({ sandbox, asked, run }) => {
    const slack = sandbox.slack!;
    const smtp = sandbox.smtp!;
    const result = await run({ week: HAND_PLACED_WEEK });
    expect(result.scheduledAt).toBeNull(); // started by hand

    // The records were asked for W45–W48: Mon 2 Nov 00:00 EST to Mon 30 Nov 00:00 EST.
    expect(asked).toEqual([['2026-11-02T05:00:00.000Z', '2026-11-30T05:00:00.000Z']]);
    expect(result.week).toBe('2026-W48');

    // Slack: the digest, then the file share with the chart.
    const [digest, share, ...more] = slack.messages(REVIEW);
    expect(more).toEqual([]);
    expect(result.slack).toEqual({ channel: REVIEW, ts: digest!.ts });
    expect(metricLines(digest!.blocks)).toEqual(HAND_PLACED_SLACK_LINES);
    const all = JSON.stringify(digest!.blocks);
    for (const piece of [
      'Handoff health · 2026-W48',
      'Ben Carter — 2',
      'Wrong title / persona — 1',
      '`mql-hubspot-9007`',
    ]) {
      expect(all).toContain(piece);
    }
    expect(share).toMatchObject({ upload: true, files: [expect.objectContaining({ id: result.chart.fileId })] });
    const [file, ...otherFiles] = slack.files();
    expect(otherFiles).toEqual([]);
    expect(file).toMatchObject({ status: 'complete', mimetype: 'image/png', channels: [REVIEW] });
    expect(file!.name).toMatch(/^handoff-health-2026-W48\.[0-9a-f]{8}\.png$/);
    const png = slack.fileBytes(file!.id)!;
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(png.length).toBeGreaterThan(20_000);
    expect(result.chart.bytes).toBe(png.length);

    // Email: to the reviewer, the same figures, the same chart inline.
    const [mail, ...moreMail] = await eventually(
      () => smtp.messages(),
      (m) => m.length > 0,
      'the digest email',
    );
    expect(moreMail).toEqual([]);
    expect(mail!.to).toEqual(['marcus.lind@acme-analytics.example']);
    expect(mail!.subject).toBe('Handoff health 2026-W48: 1 of 5 metrics on target, 10 MQLs');
    for (const piece of [
      '70% <span style="color:#667085">(7 of 10)</span>',
      'above 95%',
      '10 min <span style="color:#667085">(9 touched)</span>',
      'below 10 min',
      '20% <span style="color:#667085">(2 of 10)</span>',
      '50% <span style="color:#667085">(1 of 2)</span>',
      '<li>Ben Carter — 2</li>',
    ]) {
      expect(mail!.html).toContain(piece);
    }
    const [chart] = mail!.attachments;
    expect(mail!.html).toContain(`<img src="cid:${chart!.cid}"`);
    expect(chart!.sha256).toBe(createHash('sha256').update(png).digest('hex'));
    expect(result.email).toEqual({ messageId: mail!.messageId, recipients: 1 });

    // The same week again (another run, e.g. ops re-running it): one post, one upload, one email.
    const again = await run({ week: HAND_PLACED_WEEK });
    expect(again.slack).toEqual(result.slack);
    expect(again.chart.fileId).toBe(result.chart.fileId);
    expect(slack.messages(REVIEW)).toHaveLength(2);
    expect(slack.files()).toHaveLength(1);
    expect(slack.requests.filter((r) => r.path === '/api/files.getUploadURLExternal')).toHaveLength(1);
    expect(slack.requests.filter((r) => r.path === '/api/chat.postMessage')).toHaveLength(1);
    expect(smtp.messages()).toHaveLength(1);
  });
});

test('started by its Schedule without a week: the last complete ISO week before the scheduled time', async () => {
  await withDigest(sampleOrg(), async ({ sandbox, taskQueue }) => {
    const schedule = await ensureDigestSchedule(env.client, { policy: sampleOrg().health, taskQueue });
    const handle = env.client.schedule.getHandle(schedule.scheduleId);
    try {
      const before = new Date();
      await handle.trigger();
      const started = await eventually(
        () => handle.describe(),
        (d) => d.info.recentActions.length > 0,
        'the triggered run',
      );
      const action = started.info.recentActions[0]!.action;
      expect(action.workflow.workflowId.startsWith(`${schedule.scheduleId}-`)).toBe(true);
      const wf = env.client.workflow.getHandle<typeof weeklyDigest>(action.workflow.workflowId);
      const result = await wf.result();
      // The Schedule's time reached the workflow (TemporalScheduledStartTime), and the week is the one before it.
      expect(result.scheduledAt).not.toBeNull();
      const scheduledAt = new Date(result.scheduledAt!);
      expect(Math.abs(scheduledAt.getTime() - before.getTime())).toBeLessThan(30_000);
      expect(result.week).toBe(shiftWeek(isoWeekOf(scheduledAt, 'America/New_York'), -1, 'America/New_York'));
      const described = await wf.describe();
      expect(described.memo).toEqual({ digestSchedule: { cron: '0 8 * * MON', timeZone: 'America/New_York' } });
      expect(sandbox.slack!.messages(REVIEW).map((m) => JSON.stringify(m.blocks ?? []))[0]).toContain(
        `Handoff health · ${result.week}`,
      );
    } finally {
      await handle.delete();
    }
  });
});

test('Slack refusing the post does not hold back the email; the run fails naming Slack', async () => {
  const config = sampleOrg();
  config.health.digest.slackChannel = 'C0NOTMEMB1';
  await withDigest(config, async ({ sandbox, run }) => {
    sandbox.slack!.addChannel({ id: 'C0NOTMEMB1', name: 'leadership', botIsMember: false });
    const failure = await run({ week: HAND_PLACED_WEEK }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause?.message).toMatch(/^digest 2026-W48 not fully delivered: slack: .*not_in_channel/);
    expect(sandbox.slack!.messages()).toEqual([]);
    expect(sandbox.smtp!.messages()).toHaveLength(1);
  });
});

test('no chart renderer (package or font missing): the message and the email still go out, the run names the chart', async () => {
  const chart = async (): Promise<Buffer> => {
    throw new ChartRenderError('no DejaVu Sans font for the chart: install the dejavu-fonts-ttf package');
  };
  await withDigest(
    sampleOrg(),
    async ({ sandbox, run }) => {
      const failure = await run({ week: HAND_PLACED_WEEK }).catch((e: unknown) => e);
      expect((failure as WorkflowFailedError).cause?.message).toBe(
        'digest 2026-W48 not fully delivered: slack: no DejaVu Sans font for the chart: install the dejavu-fonts-ttf package',
      );
      const [digest, ...more] = sandbox.slack!.messages(REVIEW);
      expect(more).toEqual([]);
      expect(metricLines(digest!.blocks)).toEqual(HAND_PLACED_SLACK_LINES);
      expect(sandbox.slack!.files()).toEqual([]);
      const [mail] = sandbox.smtp!.messages();
      expect(mail!.attachments).toEqual([]);
      expect(mail!.html).not.toContain('cid:');
      expect(mail!.html).toContain('70% <span style="color:#667085">(7 of 10)</span>');
    },
    { chart },
  );
});

test('a week that does not exist fails at once, sending nothing', async () => {
  await withDigest(sampleOrg(), async ({ sandbox, run }) => {
    const failure = await run({ week: '2027-W53' }).catch((e: unknown) => e);
    expect((failure as WorkflowFailedError).cause?.message).toBe('week "2027-W53": 2027 has no week 53');
    expect(sandbox.slack!.messages()).toEqual([]);
    expect(sandbox.smtp!.messages()).toEqual([]);
  });
});
