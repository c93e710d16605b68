/**
 * Component 3, SLA enforcement: one loop over the two ladders. Before first touch it sleeps until the next rung
 * of the assignment's ladder (reminder → manager escalation → reassignment → VP review); after first touch until
 * the next decision rung (manager, then VP). It wakes the instant a rep acts, sales decides, ops reassign, or the
 * server suggests continuing as new, and returns when a decision or a hand-over is due.
 */
import { condition, patched } from '@temporalio/workflow';
import { RUNG_ACTIONS, SLA_REASSIGNMENT_REASON, type LadderRung, type RungAction } from '../../domain/handoff-rules';
import { crm } from './activities';
import type { HandoffContext } from './context';
import { shouldContinueAsNew } from './continue-as-new';
import { nextDecisionRung, nextFirstTouchRung } from './ladders';
import { audienceOf, sendNotice, updateMessage } from './multi-channel-notification';
import { PATCH_CRM_FIRST_TOUCH } from './patches';
import { applyReassignRequest, reassign } from './reassignment';
import type { Assignment } from './state';

/** Why the ladder loop returned. */
export type LadderExit = 'decision_due' | 'hand_over';

export async function enforceSla(h: HandoffContext): Promise<LadderExit> {
  const { s } = h;
  for (;;) {
    if (h.pendingDecision) return 'decision_due';
    if (h.pendingReassign) {
      await applyReassignRequest(h);
      continue;
    }
    if (s.pendingTouch) {
      const t = s.pendingTouch;
      s.pendingTouch = null;
      await recordFirstTouch(h, `${t.type} via ${t.source}`);
      s.rung = 'none';
      h.enter('awaiting_decision');
      continue;
    }
    if (shouldContinueAsNew()) return 'hand_over';

    const a = s.assignment!;
    const beforeFirstTouch = s.stage === 'awaiting_first_touch';
    const next = beforeFirstTouch ? nextFirstTouchRung(h, a) : nextDecisionRung(h, a);
    s.nextDeadline = next ? { what: next.rung, at: next.at } : null;
    h.publish();
    const woken = (): boolean =>
      (beforeFirstTouch && s.pendingTouch !== null) ||
      h.pendingDecision !== null ||
      h.pendingReassign !== null ||
      shouldContinueAsNew();
    if (!next) {
      await condition(woken);
      continue;
    }
    if (await condition(woken, Math.max(1, Date.parse(next.at) - h.now().getTime()))) continue;
    await fireRung(h, next.rung, a);
    // The first-touch ladder publishes the rung at once; the decision ladder at its next turn (as recorded).
    if (beforeFirstTouch) h.publish();
    if (shouldContinueAsNew()) return 'hand_over';
  }
}

/** The rep touched the lead (activity, "I've reached out", or deciding straight away): the task is done. */
export async function recordFirstTouch(h: HandoffContext, how: string): Promise<void> {
  const { s } = h;
  const at = h.now();
  s.firstTouchAt = at.toISOString();
  h.noteSlaMiss(s.assignment!);
  const waited = at.getTime() - Date.parse(s.assignment!.assignedAt);
  h.log('first_touch', 'first touch', `${how} after ${Math.round(waited / 1000)} s`);
  const taskId = s.assignment!.taskId;
  const touchedAt = s.firstTouchAt;
  await h.effects(
    async () => taskId && h.tolerate('task close', () => crm.closeFollowUpTask({ taskId, outcome: 'completed' })),
    async () => {
      if (!patched(PATCH_CRM_FIRST_TOUCH)) return;
      const input = { lead: s.lead!, at: touchedAt, workflowId: s.workflowId };
      await h.tolerate('CRM first touch', () => crm.recordFirstTouch(input));
    },
    () => updateMessage(h, { kind: 'reached_out', at: touchedAt }),
  );
}

/** Does what the rung does (src/domain/handoff-rules.ts RUNG_ACTIONS) for the assignment it came due for. */
async function fireRung(h: HandoffContext, rung: LadderRung, a: Assignment): Promise<void> {
  const { s, policy } = h;
  const action = RUNG_ACTIONS[rung];
  const isDecisionRung = rung === 'decision_escalation' || rung === 'decision_review';
  if (isDecisionRung) s.firedDecisionRungs.push(rung);
  else if (policy.sla.ladders[s.leadType!].rungs.find((r) => r.rung === rung)?.from === 'mql')
    s.firedMqlRungs.push(rung);
  else a.fired.push(rung);
  s.rung = rung;
  const holder = a.assignee;
  if (isDecisionRung) {
    h.log('decision_rung', `decision rung: ${rung}`, `no accept/reject from ${holder.name}`, { rung });
  } else {
    const minutes = Math.round((h.now().getTime() - Date.parse(a.assignedAt)) / 60_000);
    h.log('sla_rung', `SLA rung: ${rung}`, `${holder.name} has not touched the lead after ${minutes} min`, { rung });
  }
  if (action.flag) h.flag(action.flag);
  const facts = (): { repName: string; waitedMs: number } => ({
    repName: holder.name,
    waitedMs: waitedMs(h, a, action),
  });
  if (action.reassigns && !(await reassign(h, undefined, SLA_REASSIGNMENT_REASON, 'SLA ladder', true))) {
    const { flag, notice } = action.reassigns.ifNobody;
    h.flag(flag);
    h.log('reassignment_found_nobody', 'reassignment found nobody', `${holder.name} keeps the lead`);
    const to = audienceOf(h, notice.to, holder);
    if (to) await sendNotice(h, notice.kind, to, notice.step(a.no), facts());
  }
  if (action.notice) {
    const to = audienceOf(h, action.notice.to, holder);
    if (to) await sendNotice(h, action.notice.kind, to, action.notice.step(a.no), facts());
  }
}

function waitedMs(h: HandoffContext, a: Assignment, action: RungAction): number {
  const since =
    action.waitedSince === 'mql' ? h.s.mqlAt! : action.waitedSince === 'first_touch' ? h.s.firstTouchAt! : a.assignedAt;
  return h.now().getTime() - Date.parse(since);
}
