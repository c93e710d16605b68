/**
 * Component 4, rejection recycling — and acceptance. Accepted: lifecycle SQL. Rejected: a picklist reason back to
 * HubSpot, lifecycle back to Lead, the owner removed, the re-nurture track for that reason, the reviewer told.
 * "Timing not right" sleeps through the re-nurture delay, then re-evaluates the lead on fresh data: still
 * qualified → a fresh handoff (the next cycle); otherwise recycled.
 */
import { condition, continueAsNew } from '@temporalio/workflow';
import { parseDurationMs } from '../../domain/duration';
import type { HandoffOutcome } from '../../domain/handoff-rules';
import { qualifyLead } from '../../domain/qualification';
import { rejectionTrack } from '../../domain/rejection';
import { crm } from './activities';
import type { HandoffContext } from './context';
import { releaseClaim } from './instant-routing';
import { reviewer, sendNotice, updateMessage } from './multi-channel-notification';
import { recordFirstTouch } from './sla-enforcement';
import type { mqlHandoff } from './index';

/** Applies the pending accept/reject; 'renurture' when the lead goes on to the re-nurture timer. */
export async function applyDecision(h: HandoffContext): Promise<HandoffOutcome | 'renurture'> {
  const { s, policy } = h;
  const d = h.pendingDecision!;
  const at = h.now().toISOString();
  const lead = s.lead!;
  const a = s.assignment!;
  const by = a.assignee.name;
  const note = d.input.note ? `: ${d.input.note}` : '';
  if (!s.firstTouchAt) await recordFirstTouch(h, `${d.kind} decision by ${by}`);
  let outcome: HandoffOutcome | 'renurture';
  const release = () => releaseClaim(h, a);
  if (d.kind === 'accept') {
    await h.effects(
      () =>
        h.tolerate('CRM acceptance', () =>
          crm.markAccepted({ lead, at, workflowId: s.workflowId, dealId: s.handoffDealId }),
        ),
      () => updateMessage(h, { kind: 'accepted', at, by }),
      release,
    );
    h.log('accepted', 'accepted', `by ${by}${note}`);
    outcome = 'accepted';
  } else {
    const track = rejectionTrack(policy, d.input.reason)!;
    const taskId = a.taskId;
    s.rejectReason = track.reason;
    h.log('rejected', 'rejected', `${track.label} by ${by}${note}`);
    await h.effects(
      () =>
        h.tolerate('CRM rejection', () =>
          crm.markRejected({
            lead,
            reason: track.reason,
            reasonLabel: track.label,
            leadStatus: track.leadStatus,
            nurtureListId: track.nurtureListId,
            workflowId: s.workflowId,
            dealId: s.handoffDealId,
          }),
        ),
      async () => taskId && h.tolerate('task close', () => crm.closeFollowUpTask({ taskId, outcome: 'cancelled' })),
      () => updateMessage(h, { kind: 'rejected', at, by, reasonLabel: track.label }),
      () => sendNotice(h, 'lead_rejected', reviewer(h), 'rejected', { reason: track.reason, reasonLabel: track.label }),
      release,
    );
    outcome = track.reevaluate ? 'renurture' : 'rejected';
  }
  s.rung = 'none';
  s.nextDeadline = null;
  if (outcome === 'renurture') {
    h.enter('renurturing');
  } else {
    s.outcome = outcome;
    h.enter(outcome);
  }
  d.result = { stage: s.stage, at };
  h.pendingDecision = null;
  return outcome;
}

/**
 * "Timing not right": a durable re-nurture timer, then a fresh evaluation. A new MQL event for the lead (the
 * prospect came back) wakes it early. Ends 'recycled', or continues as new with the next cycle (a fresh handoff
 * that keeps the lead's story).
 */
export async function renurture(h: HandoffContext): Promise<'recycled'> {
  const { s, policy, input } = h;
  const delayMs = parseDurationMs(policy.rejection.renurtureDelay);
  const until = new Date(Date.now() + delayMs);
  s.nextDeadline = { what: 're-evaluation', at: until.toISOString() };
  s.renurturingSince = new Date().toISOString();
  h.log('renurture_scheduled', 're-nurture', `re-evaluation on ${until.toISOString()}`);
  h.enter('renurturing');
  for (;;) {
    const returnedEarly = await condition(() => h.returned !== null, Math.max(1, until.getTime() - Date.now()));
    const returned = h.returned;
    h.returned = null;
    if (returnedEarly && returned) {
      h.log('returned_during_renurture', 'returned during re-nurture', `${returned.kind}: re-qualifying now`);
    }
    const lead = await crm.loadLead({ contactId: s.contactId });
    const q = lead ? qualifyLead(lead, policy, new Date()) : null;
    if (lead && q?.qualified) {
      h.log('re_evaluated', 're-evaluated: still qualified', 'starting a fresh handoff');
      return continueAsNew<typeof mqlHandoff>({
        source: input.source,
        contactId: input.contactId,
        trigger: returned
          ? { ...returned, detail: `returned during re-nurture${returned.detail ? `: ${returned.detail}` : ''}` }
          : { kind: 'renurture', at: new Date().toISOString(), detail: `after ${policy.rejection.renurtureDelay}` },
        cycle: s.cycle + 1,
        carriedTimeline: s.timeline.slice(-50),
      });
    }
    const why = lead ? `no longer qualified: ${q!.reasons.join('; ')}` : 'contact no longer exists';
    if (!returned) {
      h.log('recycled', 'recycled', why);
      s.outcome = 'recycled';
      h.enter('recycled');
      return 'recycled';
    }
    // Came back, but does not qualify yet: keep nurturing until the re-evaluation date.
    h.log('re_evaluated', 're-evaluated: not qualified yet', `${why}; re-evaluation stays on ${until.toISOString()}`);
  }
}
