/**
 * Long-lived leads keep a bounded history: when the server suggests it, the handoff continues as new at a waiting
 * point and carries its whole state, so the next run goes on where the last one stopped. A dedicated dev server
 * suggests continue-as-new after 40 events so the hand-over happens within the test.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listHandoffRecords } from '../../src/activities/handoff-records';
import { acceptUpdate, repActivitySignal, statusQuery } from '../../src/workflows/definitions';
import { dedicatedDevServerEnv } from '../harness/temporal';
import { eventually } from '../support/eventually';
import { cleanUpHandoffs, handoffFixture } from '../support/handoff-fixture';
import { demoRequestLead } from '../support/leads';
import { hasEntry } from '../support/timeline';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await dedicatedDevServerEnv({
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
  });
});
afterEach(cleanUpHandoffs);
afterAll(async () => {
  await env?.teardown();
});

test(
  'a lead with a long history continues as new while awaiting a decision and keeps its state',
  async () => {
    const fx = await handoffFixture(env);
    await fx.worker.runUntil(async () => {
      const handle = await fx.start(demoRequestLead());
      const first = (await handle.describe()).runId;
      await eventually(
        () => handle.query(statusQuery),
        (s) => s.stage === 'awaiting_first_touch',
        'assignment',
      );
      await handle.signal(repActivitySignal, { type: 'call', source: 'hubspot', externalId: 'touch' });
      const touched = await eventually(
        () => handle.query(statusQuery),
        (s) => s.stage === 'awaiting_decision',
        'first touch',
      );

      // Reps keep logging activity: each signal grows the history until the server suggests continuing as new.
      for (let i = 0; i < 20; i++) {
        await handle.signal(repActivitySignal, { type: 'email', source: 'hubspot', externalId: `email-${i}` });
      }
      const resumed = await eventually(
        () => handle.query(statusQuery),
        (s) => hasEntry(s, 'resumed'),
        'continue-as-new',
      );
      expect((await handle.describe()).runId).not.toBe(first);
      expect(resumed).toMatchObject({
        stage: 'awaiting_decision',
        owner: touched.owner,
        mqlAt: touched.mqlAt,
        firstTouchAt: touched.firstTouchAt,
        slaDueAt: touched.slaDueAt,
      });
      expect(resumed.timeline.slice(0, touched.timeline.length)).toEqual(touched.timeline);

      // The new run still takes the rep's decision; the old DM and task are still the ones it updates.
      await handle.executeUpdate(acceptUpdate, { args: [{ repId: touched.owner!.repId }] });
      const result = await handle.result();
      expect(result.outcome).toBe('accepted');
      expect(fx.world.chatUpdates.map((u) => u.state.kind)).toEqual(['reached_out', 'accepted']);
      expect(fx.world.briefsTo(touched.owner!.repId)).toHaveLength(1);

      // Visibility holds both runs of the cycle; the health records count the lead once, as the last run left it.
      const mqlAt = Date.parse(touched.mqlAt!);
      const records = await eventually(
        async () =>
          (await listHandoffRecords(env.client, new Date(mqlAt - 60_000), new Date(Date.now() + 60_000))).filter(
            (r) => r.workflowId === handle.workflowId,
          ),
        (rs) => rs.some((r) => r.stage === 'accepted'),
        'visibility to index the accepted run',
      );
      expect(records.map((r) => [r.cycle, r.stage, r.mqlAt])).toEqual([[0, 'accepted', touched.mqlAt]]);
      const runs = [];
      for await (const info of env.client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` }))
        runs.push(info);
      expect(runs.length).toBeGreaterThan(1); // every run of the cycle, with the attributes it closed with
    });
    // Four waits (assignment, first touch, the hand-over, visibility), each allowed eventually's deadline on a busy
    // machine.
  },
  5 * 60_000,
);
