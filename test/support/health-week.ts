/**
 * The hand-placed week of test/domain/handoff-health.test.ts (2026-W48 in New York, ten MQLs, last week one lead
 * touched after 20 min and accepted, one lead recycled on Wed 25 Nov), as records of the sample org's reps, for
 * the digest's tests. The figures below are worked out by hand from the table, as in that test:
 *
 *   speed to contact  median of 3, 4, 6, 8, 10, 12, 30, 300, 2940 min = 10 min (9 touched); last week 20 → −10
 *   SLA compliance    7 of 10 = 70%; last week 1 of 1 = 100% → −30 pts
 *   acceptance        6 of 10 = 60%; last week 100% → −40 pts
 *   drop              2 of 10 = 20% (#7 never touched, #8 after 49 h); last week 0% → +20 pts
 *   recycle conv.     1 of 2 = 50% (#9 handed off again and accepted; one recycled); last week none
 *   rejections        wrong_title, timing_not_right, no_budget_signal: one each
 *   SLA misses        Ben Carter 2 (#8, and #7 overdue in his hands), Ana Ruiz 1, Dev Patel 1
 *   dropped           mql-hubspot-9007 and mql-hubspot-9008, both Ben Carter's
 */
import type { HandoffRecord } from '../../src/domain/handoff-health';

const MIN = 60_000;
const after = (mqlAt: string, minutes: number) => new Date(Date.parse(mqlAt) + minutes * MIN).toISOString();

function rec(r: Partial<HandoffRecord> & { workflowId: string; mqlAt: string | null }): HandoffRecord {
  return {
    cycle: 0,
    stage: 'accepted',
    firstTouchAt: null,
    slaDueAt: null,
    slaMissedBy: [],
    rejectReason: null,
    rep: 'rep-ana',
    team: 'sdr-inbound',
    leadType: 'demo_request',
    source: 'ORGANIC_SEARCH',
    closedAt: null,
    ...r,
  };
}

const M = {
  r1: '2026-11-23T14:00:00Z',
  r2: '2026-11-23T15:00:00Z',
  r3: '2026-11-24T16:00:00Z',
  r4: '2026-11-24T19:00:00Z',
  r5: '2026-11-25T14:00:00Z',
  r6: '2026-11-25T21:00:00Z',
  r7: '2026-11-26T15:00:00Z',
  r8: '2026-11-27T20:00:00Z',
  r9: '2026-11-28T17:00:00Z',
  r10: '2026-11-30T01:00:00Z',
};

export const HAND_PLACED_WEEK = '2026-W48';
/** "Now" for the report: Wed 2 Dec 2026, every 48 h drop window of the week has closed. */
export const HAND_PLACED_NOW = '2026-12-02T12:00:00Z';

export function handPlacedRecords(): HandoffRecord[] {
  const id = (n: number) => `mql-hubspot-90${String(n).padStart(2, '0')}`;
  return [
    rec({ workflowId: id(1), mqlAt: M.r1, firstTouchAt: after(M.r1, 4) }),
    rec({ workflowId: id(2), mqlAt: M.r2, firstTouchAt: after(M.r2, 6) }),
    rec({
      workflowId: id(3),
      mqlAt: M.r3,
      firstTouchAt: after(M.r3, 12),
      stage: 'rejected',
      rejectReason: 'wrong_title',
      rep: 'rep-ben',
    }),
    rec({ workflowId: id(4), mqlAt: M.r4, firstTouchAt: after(M.r4, 30), rep: 'rep-ben' }),
    rec({
      workflowId: id(5),
      mqlAt: M.r5,
      firstTouchAt: after(M.r5, 3),
      stage: 'renurturing',
      rejectReason: 'timing_not_right',
      rep: 'rep-chloe',
    }),
    rec({
      workflowId: id(6),
      mqlAt: M.r6,
      firstTouchAt: after(M.r6, 300),
      slaMissedBy: ['rep-dev'],
      rep: 'rep-dev',
      leadType: 'behavioral',
    }),
    rec({
      workflowId: id(7),
      mqlAt: M.r7,
      stage: 'awaiting_first_touch',
      slaMissedBy: ['rep-ana'],
      slaDueAt: '2026-11-27T15:00:00Z',
      rep: 'rep-ben',
      leadType: 'behavioral',
    }),
    rec({
      workflowId: id(8),
      mqlAt: M.r8,
      firstTouchAt: after(M.r8, 49 * 60),
      slaMissedBy: ['rep-ben'],
      rep: 'rep-ben',
      leadType: 'behavioral',
    }),
    rec({
      workflowId: id(9),
      mqlAt: M.r9,
      firstTouchAt: after(M.r9, 8),
      rep: 'rep-chloe',
      leadType: 'behavioral',
      cycle: 1,
      source: 'PAID_SEARCH',
    }),
    rec({
      workflowId: id(10),
      mqlAt: M.r10,
      firstTouchAt: after(M.r10, 10),
      stage: 'rejected',
      rejectReason: 'no_budget_signal',
      rep: 'rep-dev',
      leadType: 'behavioral',
    }),
    rec({ workflowId: id(11), mqlAt: '2026-11-16T14:00:00Z', firstTouchAt: after('2026-11-16T14:00:00Z', 20) }),
    rec({
      workflowId: id(12),
      mqlAt: '2026-08-20T14:00:00Z',
      firstTouchAt: after('2026-08-20T14:00:00Z', 5),
      stage: 'recycled',
      rejectReason: 'timing_not_right',
      closedAt: '2026-11-25T18:00:00Z',
    }),
    rec({ workflowId: id(13), mqlAt: '2026-11-30T05:30:00Z', firstTouchAt: after('2026-11-30T05:30:00Z', 1) }),
  ];
}

/** The five metric lines the digest shows for the hand-placed week (Slack mrkdwn), from the figures above. */
export const HAND_PLACED_SLACK_LINES = [
  ':red_circle: *Speed to contact (median):* 10 min (9 touched) · target below 10 min · ▼ 10 min vs last week (better)',
  ':red_circle: *SLA compliance:* 70% (7 of 10) · target above 95% · ▼ 30 pts vs last week (worse)',
  ':red_circle: *Acceptance rate MQL → SQL:* 60% (6 of 10) · target above 60% · ▼ 40 pts vs last week (worse)',
  ':red_circle: *Drop rate:* 20% (2 of 10) · target below 2% · ▲ 20 pts vs last week (worse)',
  ':large_green_circle: *Recycle conversion:* 50% (1 of 2) · target above 10% · no figure last week',
];
