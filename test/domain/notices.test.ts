import { buildHandoffBrief, type HandoffBrief, type NoticeKind } from '../../src/domain/brief';
import { composeNotice, type NoticeContext } from '../../src/domain/notices';
import { company, lead } from './fixtures';

const H = 3_600_000;
const brief: HandoffBrief = buildHandoffBrief({
  workflowId: 'mql-hubspot-51',
  lead: lead({ company: company({ name: 'Globex', employees: 1200 }) }),
  leadType: 'demo_request',
  priority: 'high',
  whyThisLead: 'Requested a demo today.',
  reasonForHandoff: 'Requested a demo (high-intent action)',
  routedBecause: 'Company size 1,200 is in the enterprise band (1000+): round-robin in AE Enterprise',
  slaDueAt: '2026-11-23T17:00:00Z',
  timeZone: 'America/New_York',
  rep: { id: 'rep-ana', name: 'Ana Ruiz' },
  links: [],
  rejectReasons: [],
});
/** Monday 23 Nov 2026, 10:00 in New York: two hours before first touch is due. */
const ctx: NoticeContext = {
  now: new Date('2026-11-23T15:00:00Z'),
  timeZone: 'America/New_York',
  managerName: 'Priya Shah',
  waitedMs: 2 * H + 15 * 60_000,
};

describe('composeNotice', () => {
  it.each<[NoticeKind, Partial<NoticeContext>, string, string]>([
    [
      'reminder',
      {},
      'Reminder: Dana Ito (Globex) is waiting for first touch — SLA due Mon 23 Nov, 12:00 EST',
      'Dana Ito, VP Operations at Globex (demo request, high priority) was assigned to you 2h 15m ago and has no ' +
        'first touch yet. First touch is due by Mon 23 Nov, 12:00 EST. Why this lead: Requested a demo today. ' +
        'Log a call or an email, or click "I\'ve reached out", to stop these reminders.',
    ],
    [
      'manager_escalation',
      {},
      'Escalation: Dana Ito (Globex) has had no first touch from Ana Ruiz for 2h 15m',
      'Ana Ruiz has not logged any activity on Dana Ito, VP Operations at Globex (demo request, high priority) in ' +
        'the 2h 15m since assignment. First touch is due by Mon 23 Nov, 12:00 EST. Please follow up with Ana Ruiz.',
    ],
    [
      'reassigned_away',
      { toRepName: 'Ben Carter' },
      'Reassigned: Dana Ito (Globex) has moved to Ben Carter',
      'Dana Ito, VP Operations at Globex has been reassigned from you to Ben Carter. It had no first touch 2h 15m ' +
        'after assignment. You no longer own this lead; no action is needed from you.',
    ],
    [
      'reassignment_manager_notice',
      { toRepName: 'Ben Carter', reason: 'Ana is at a conference' },
      'Reassigned: Dana Ito (Globex) moved from Ana Ruiz to Ben Carter',
      'Dana Ito, VP Operations at Globex (demo request, high priority) was reassigned from Ana Ruiz to Ben Carter. ' +
        'Reason: Ana is at a conference. The first-touch SLA now runs for Ben Carter.',
    ],
    [
      'vp_review',
      { now: new Date('2026-11-24T15:00:00Z'), waitedMs: 24 * H, repName: 'Ben Carter' },
      'Review: Dana Ito (Globex) has waited 1d without first touch',
      'Dana Ito, VP Operations at Globex (demo request, high priority) became an MQL 1d ago and still has no first ' +
        'touch. It is with Ben Carter, whose manager Priya Shah has been told. First touch was due by Mon 23 Nov, ' +
        '12:00 EST. Flagged for VP of Sales / ops review.',
    ],
    [
      'decision_overdue',
      { waitedMs: 48 * H },
      'Decision overdue: Dana Ito (Globex) awaits accept or reject from Ana Ruiz',
      'Ana Ruiz made first touch with Dana Ito, VP Operations at Globex (demo request, high priority) 2d ago but has ' +
        'not accepted or rejected the lead. Please ask Ana Ruiz to accept it as an SQL or reject it with a reason.',
    ],
    [
      'decision_review',
      { waitedMs: 120 * H },
      'Review: no accept/reject decision on Dana Ito (Globex) after 5d',
      'Ana Ruiz made first touch with Dana Ito, VP Operations at Globex (demo request, high priority) 5d ago and has ' +
        'not decided. Priya Shah was told earlier. Flagged for VP of Sales / ops review.',
    ],
    [
      'lead_rejected',
      { reason: 'wrong_company_size', reasonLabel: 'Wrong company size' },
      'Rejected: Dana Ito (Globex) — Wrong company size',
      'Ana Ruiz rejected Dana Ito, VP Operations at Globex (demo request, high priority; fit 72, engagement 81). ' +
        'Reason: Wrong company size. Marketing handed it off because: Requested a demo (high-intent action). ' +
        'The contact goes back to lifecycle stage Lead and into the re-nurture track for this reason.',
    ],
    [
      'assignee_unreachable',
      {},
      'Not delivered: Ana Ruiz has not been told about Dana Ito (Globex)',
      'Dana Ito, VP Operations at Globex (demo request, high priority) is assigned to Ana Ruiz, but neither the ' +
        'Slack DM nor the email reached them. First touch is due by Mon 23 Nov, 12:00 EST. Please tell Ana Ruiz ' +
        'directly, or reassign the lead.',
    ],
  ])('%s', (kind, overrides, title, text) => {
    const notice = composeNotice(kind, brief, { ...ctx, ...overrides });
    expect(notice).toEqual({ kind, title, text, brief });
  });

  it.each<[NoticeKind, Partial<NoticeContext>, RegExp]>([
    [
      'reminder',
      { waitedMs: undefined },
      /^Dana Ito, VP Operations at Globex \(demo request, high priority\) is assigned to you and/,
    ],
    ['reassigned_away', { toRepName: 'Ben Carter', waitedMs: undefined }, /to Ben Carter\. You no longer own/],
    ['vp_review', { waitedMs: undefined, managerName: undefined }, /became an MQL and still .* It is with Ana Ruiz\. /],
    ['lead_rejected', { reason: 'no_budget_signal' }, /Reason: no_budget_signal\./],
  ])('%s leaves out what it was not told', (kind, overrides, pattern) => {
    expect(composeNotice(kind, brief, { ...ctx, ...overrides }).text).toMatch(pattern);
  });

  it('shows the deadline in the reader’s zone', () => {
    expect(composeNotice('reminder', brief, { ...ctx, timeZone: 'Europe/London' }).title).toBe(
      'Reminder: Dana Ito (Globex) is waiting for first touch — SLA due Mon 23 Nov, 17:00 GMT',
    );
  });

  it('names the lead without a company when there is none', () => {
    const noCompany = {
      ...brief,
      company: { ...brief.company, name: null },
      contact: { ...brief.contact, jobTitle: null },
    };
    expect(composeNotice('manager_escalation', noCompany, ctx).title).toBe(
      'Escalation: Dana Ito has had no first touch from Ana Ruiz for 2h 15m',
    );
  });

  it.each<[NoticeKind, Partial<NoticeContext>, string]>([
    ['reassigned_away', {}, 'composeNotice("reassigned_away") needs ctx.toRepName'],
    [
      'reassignment_manager_notice',
      { toRepName: ' ' },
      'composeNotice("reassignment_manager_notice") needs ctx.toRepName',
    ],
    ['lead_rejected', {}, 'composeNotice("lead_rejected") needs ctx.reason'],
  ])('refuses %s without the facts it must state', (kind, overrides, message) => {
    expect(() => composeNotice(kind, brief, { ...ctx, ...overrides })).toThrow(message);
  });
});
