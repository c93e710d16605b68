/**
 * The weekly digest's Schedule on the real dev server: created from the org config at start-up, left alone when
 * nothing changed (no duplicate, no error), updated in place when the cron or zone changes (an operator's pause
 * kept), refused with the config's path when the server rejects the cron.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { healthSchema } from '../../src/domain/org-config';
import { digestScheduleId, ensureDigestSchedule, DIGEST_SCHEDULE_ID } from '../../src/main/digest-schedule';
import { devServerEnv, uniqueTaskQueue } from '../harness/temporal';
import { closeAll } from '../support/close-all';

let env: TestWorkflowEnvironment;
const created: string[] = [];

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(() =>
  closeAll(
    async () => {
      for (const id of created)
        await env?.client.schedule
          .getHandle(id)
          .delete()
          .catch(() => undefined);
    },
    () => env?.teardown(),
  ),
);

const policy = (digest: { cron?: string; timeZone?: string }) => healthSchema.parse({ digest });

/** Weekday and hh:mm of `at` in `zone`, e.g. "Mon 08:00". */
function localSlot(at: Date, zone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `${p.weekday} ${p.hour}:${p.minute}`;
}

test('the id: handoff-weekly-digest on the default task queue, with the task queue otherwise', () => {
  expect(digestScheduleId('mql-handoff')).toBe('handoff-weekly-digest');
  expect(digestScheduleId('acme-eu')).toBe('handoff-weekly-digest-acme-eu');
  expect(DIGEST_SCHEDULE_ID).toBe('handoff-weekly-digest');
});

test('created once, unchanged on restart, updated when the cron or zone changes, a pause kept', async () => {
  const taskQueue = uniqueTaskQueue('digest-schedule');
  const id = `handoff-weekly-digest-${taskQueue}`;
  created.push(id);

  const first = await ensureDigestSchedule(env.client, { policy: policy({}), taskQueue });
  expect(first).toMatchObject({
    scheduleId: id,
    outcome: 'created',
    cron: '0 8 * * MON',
    timeZone: 'America/New_York',
  });
  const handle = env.client.schedule.getHandle(id);
  const d = await handle.describe();
  expect(d.spec.timezone).toBe('America/New_York');
  expect(d.action).toMatchObject({
    type: 'startWorkflow',
    workflowType: 'weeklyDigest',
    taskQueue,
    memo: { digestSchedule: { cron: '0 8 * * MON', timeZone: 'America/New_York' } },
  });
  expect(d.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 3_600_000 });
  // Every upcoming run is a Monday at 08:00 in New York, whatever the offset to UTC that week.
  expect(d.info.nextActionTimes.length).toBeGreaterThan(0);
  for (const at of d.info.nextActionTimes) expect(localSlot(at, 'America/New_York')).toBe('Mon 08:00');
  expect(first.nextRuns[0]).toEqual(d.info.nextActionTimes[0]);

  // A restart with the same config: no error, no second schedule, nothing rewritten.
  const again = await ensureDigestSchedule(env.client, { policy: policy({}), taskQueue });
  expect(again.outcome).toBe('unchanged');
  const listed: string[] = [];
  for await (const s of env.client.schedule.list()) if (s.scheduleId.startsWith(id)) listed.push(s.scheduleId);
  expect(listed).toEqual([id]);

  // An operator pauses it; the config moves the digest to Tuesday 09:30.
  await handle.pause('paused by ops for the offsite');
  const moved = await ensureDigestSchedule(env.client, { policy: policy({ cron: '30 9 * * TUE' }), taskQueue });
  expect(moved.outcome).toBe('updated');
  const after = await handle.describe();
  expect(after.action.memo).toEqual({ digestSchedule: { cron: '30 9 * * TUE', timeZone: 'America/New_York' } });
  expect(after.state.paused).toBe(true);
  expect(after.state.note).toBe('paused by ops for the offsite');
  await handle.unpause();
  const unpaused = await handle.describe();
  for (const at of unpaused.info.nextActionTimes) expect(localSlot(at, 'America/New_York')).toBe('Tue 09:30');

  // Another zone: 09:30 in Paris.
  const paris = await ensureDigestSchedule(env.client, {
    policy: policy({ cron: '30 9 * * TUE', timeZone: 'Europe/Paris' }),
    taskQueue,
  });
  expect(paris.outcome).toBe('updated');
  const inParis = await handle.describe();
  expect(inParis.spec.timezone).toBe('Europe/Paris');
  for (const at of inParis.info.nextActionTimes) expect(localSlot(at, 'Europe/Paris')).toBe('Tue 09:30');
});

test('a cron the server refuses stops start-up naming health.digest', async () => {
  const taskQueue = uniqueTaskQueue('digest-schedule-bad');
  created.push(digestScheduleId(taskQueue));
  await expect(
    ensureDigestSchedule(env.client, { policy: policy({ cron: '0 25 * * MONDAYS' }), taskQueue }),
  ).rejects.toThrow(/^health\.digest: the Temporal server refused the digest schedule \(cron "0 25 \* \* MONDAYS"/);
});
