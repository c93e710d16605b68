/**
 * The handoff on the real Temporal CLI dev server (real time, real visibility): the harness proof (activities, a
 * long durable timer, a query), stuck leads found through the search attributes, and round-robin fairness when
 * 100 MQLs arrive at once.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OrgConfig } from '../../src/domain/org-config';
import {
  acceptUpdate,
  repActivitySignal,
  rosterStateQuery,
  statusQuery,
  teamRosterWorkflowId,
  type HandoffStatus,
} from '../../src/workflows/definitions';
import { devServerEnv } from '../harness/temporal';
import { eventually, eventuallyAll } from '../support/eventually';
import { cleanUpHandoffs, handoffFixture, sampleOrg, wallClockOrg } from '../support/handoff-fixture';
import { demoRequestLead } from '../support/leads';
import { firstOf } from '../support/timeline';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await devServerEnv();
});
afterEach(cleanUpHandoffs);
afterAll(async () => {
  await env?.teardown();
});

test('a handoff on the dev server: activities run, the 30-minute timer is durable, the query answers', async () => {
  const fx = await handoffFixture(env);
  await fx.worker.runUntil(async () => {
    const handle = await fx.start(demoRequestLead());
    const s = await eventually(
      () => handle.query(statusQuery),
      (x) => x.stage === 'awaiting_first_touch',
      'awaiting_first_touch',
    );
    expect(s.owner?.repId).toBe('rep-ana');
    expect(s.nextDeadline?.what).toBe('reminder');
    expect(Date.parse(s.nextDeadline!.at) - Date.parse(firstOf(s, 'assigned')!.at)).toBe(30 * 60_000);
    const description = await handle.describe();
    expect(description.searchAttributes.LeadStage).toEqual(['awaiting_first_touch']);
    expect(description.searchAttributes.AssignedRep).toEqual(['rep-ana']);

    await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot' });
    await eventually(
      () => handle.query(statusQuery),
      (x) => x.stage === 'awaiting_decision',
      'awaiting_decision',
    );
    await handle.executeUpdate(acceptUpdate, { args: [{ repId: 'rep-ana' }] });
    expect((await handle.result()).outcome).toBe('accepted');
  });
});

test('a lead past its first-touch SLA is found by a visibility query on the search attributes', async () => {
  const config = sampleOrg();
  // A 24/7 calendar and a one-second SLA, so the lead is overdue at once.
  config.calendars = config.calendars.map((c) => ({
    ...c,
    workingDays: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
    hours: { start: '00:00', end: '23:59' },
    holidays: [],
  }));
  config.sla.ladders.demo_request.firstTouchWithin = '1s';
  const fx = await handoffFixture(env, { config });
  await fx.worker.runUntil(async () => {
    const lead = demoRequestLead();
    const handle = await fx.start(lead);
    const s = await eventually(
      () => handle.query(statusQuery),
      (x) => x.stage === 'awaiting_first_touch',
      'assignment',
    );
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(s.slaDueAt!) - Date.now() + 100)));
    const query = `LeadStage = "awaiting_first_touch" AND SlaDueAt < "${new Date().toISOString()}" AND AssignedRep = "${s.owner!.repId}" AND WorkflowId = "${handle.workflowId}"`;
    const found = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const wf of env.client.workflow.list({ query })) ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.length > 0,
      'the stuck lead in visibility',
    );
    expect(found).toEqual([handle.workflowId]);
    await handle.terminate('test over');
  });
});

describe('round-robin over concurrent MQLs', () => {
  // A hundred handoffs at once take seconds on a quiet machine and minutes on a busy 2-CPU one: wait for them that
  // long before calling them stuck.
  const CONCURRENT_DEADLINE_MS = 6 * 60_000;
  const CONCURRENT_TEST_TIMEOUT_MS = CONCURRENT_DEADLINE_MS + 2 * 60_000;

  function sdrOnlyConfig(capacity: number): OrgConfig {
    const config = wallClockOrg();
    const sdr = config.teams.find((t) => t.id === 'sdr-inbound')!;
    for (const rep of sdr.reps) {
      rep.capacity = capacity;
      rep.outOfOffice = [];
    }
    return config;
  }

  async function handOffConcurrently(config: OrgConfig, count: number): Promise<HandoffStatus[]> {
    const fx = await handoffFixture(env, { config });
    return fx.worker.runUntil(async () => {
      const handles = await Promise.all(Array.from({ length: count }, () => fx.start(demoRequestLead())));
      const statuses = await eventuallyAll(
        handles,
        (h) => h.query(statusQuery),
        (x) => x.stage === 'awaiting_first_touch',
        `${count} handoffs to reach awaiting_first_touch`,
        CONCURRENT_DEADLINE_MS,
      );
      const roster = await env.client.workflow
        .getHandle(teamRosterWorkflowId('sdr-inbound', fx.rosterScope))
        .query(rosterStateQuery);
      for (const [repId, open] of Object.entries(roster.open)) {
        expect(open.length).toBe(statuses.filter((s) => s.owner?.repId === repId).length);
      }
      await Promise.all(handles.map((h) => h.terminate('test over')));
      return statuses;
    });
  }

  const countByOwner = (statuses: HandoffStatus[]): Record<string, number> =>
    statuses.reduce<Record<string, number>>((acc, s) => {
      const k = s.owner!.repId;
      acc[k] = (acc[k] ?? 0) + 1;
      return acc;
    }, {});

  test(
    '100 MQLs at once: every rep within one of the others, nobody over capacity',
    async () => {
      const statuses = await handOffConcurrently(sdrOnlyConfig(30), 100);
      const counts = countByOwner(statuses);
      expect(Object.keys(counts).sort()).toEqual(['rep-ana', 'rep-ben', 'rep-chloe', 'rep-dev']);
      const values = Object.values(counts);
      expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
      expect(Math.max(...values)).toBeLessThanOrEqual(30);
    },
    CONCURRENT_TEST_TIMEOUT_MS,
  );

  test(
    'more MQLs than capacity: reps fill up exactly, the rest go to the manager, flagged',
    async () => {
      const statuses = await handOffConcurrently(sdrOnlyConfig(10), 45);
      const counts = countByOwner(statuses);
      expect(counts).toEqual({ 'rep-ana': 10, 'rep-ben': 10, 'rep-chloe': 10, 'rep-dev': 10, 'mgr-sdr': 5 });
      for (const s of statuses.filter((x) => x.owner?.repId === 'mgr-sdr'))
        expect(s.flags).toContain('no_rep_available');
    },
    CONCURRENT_TEST_TIMEOUT_MS,
  );
});
