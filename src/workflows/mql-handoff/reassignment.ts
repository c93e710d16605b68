/**
 * Reassignment: the ladder's 4-hour rung, or ops with `handoff reassign`. The next available rep of the team
 * (never one who already had the lead) or a named rep takes over; the old rep's task closes, their DM says so,
 * they and their manager are told, and the SLA ladder restarts for the new rep.
 */
import { repAssignee, managerAbove, type Assignee } from '../../domain/assignee';
import { findRep, findTeam } from '../../domain/org';
import { crm } from './activities';
import type { HandoffContext } from './context';
import { claimFromRoster, releaseClaim, writeAssignment } from './instant-routing';
import { announceAssignment, sendNotice, updateMessage } from './multi-channel-notification';

/** Hands the lead to another rep; returns the new owner, or null when nobody could take it. */
export async function reassign(
  h: HandoffContext,
  toRepId: string | undefined,
  reason: string,
  by: string,
  auto: boolean,
): Promise<Assignee | null> {
  const { s, policy } = h;
  const from = s.assignment!;
  const teamId = toRepId ? findRep(policy, toRepId)!.team.id : from.assignee.teamId;
  const pool = toRepId ? [toRepId] : findTeam(policy, teamId)!.reps.map((r) => r.id);
  const got = await claimFromRoster(h, teamId, pool, toRepId ? [] : [...s.previousAssignees]);
  if (!got) return null;
  if (!s.firstTouchAt) h.noteSlaMiss(from);
  const next = repAssignee(policy, got);
  const taskId = from.taskId;
  const at = h.now().toISOString();
  await h.effects(
    () => releaseClaim(h, from),
    async () => taskId && h.tolerate('task close', () => crm.closeFollowUpTask({ taskId, outcome: 'reassigned' })),
    () => updateMessage(h, { kind: 'reassigned', at, toName: next.name, reason }),
  );
  const previous = from.assignee;
  s.reassignments += 1;
  if (auto) s.autoReassignments += 1;
  h.log('reassigned', `reassigned from ${previous.name} to ${next.name}`, `${reason} (by ${by})`);
  const because = `Reassigned from ${previous.name}: ${reason}`;
  await announceAssignment(h, await writeAssignment(h, next, true, because), because);
  const facts = { repName: previous.name, toRepName: next.name, reason };
  const manager = managerAbove(policy, previous);
  await h.effects(
    () => sendNotice(h, 'reassigned_away', previous, `reassigned-away-${from.no}`, facts),
    async () =>
      manager && sendNotice(h, 'reassignment_manager_notice', manager, `reassigned-manager-${from.no}`, facts),
  );
  return next;
}

/** Applies the reassignment ops asked for and answers the waiting update. */
export async function applyReassignRequest(h: HandoffContext): Promise<void> {
  const p = h.pendingReassign!;
  const { s } = h;
  const from = s.assignment!.assignee.id;
  try {
    const next = await reassign(h, p.input.toRepId, p.input.reason, p.input.requestedBy, false);
    if (!next) {
      p.error = p.input.toRepId
        ? `rep "${p.input.toRepId}" cannot take more leads (at capacity or unavailable)`
        : `nobody else in ${s.assignment!.assignee.teamId} is available`;
    } else {
      p.result = { fromRepId: from, toRepId: next.id, at: h.now().toISOString() };
      if (s.stage === 'awaiting_decision') {
        // The new rep has not touched the lead yet: back to the first-touch ladder.
        s.firstTouchAt = null;
        h.enter('awaiting_first_touch');
      }
    }
  } finally {
    h.pendingReassign = null;
  }
}
