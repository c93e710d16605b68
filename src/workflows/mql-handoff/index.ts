/**
 * One durable execution per MQL, from "qualified" to accepted, rejected or recycled — the framework of the seeds,
 * one component per file:
 *
 *   1. instant routing            qualify → dedupe → route → owner (and deal) in the CRM   instant-routing.ts
 *   2. multi-channel notification task, brief, Slack DM, email backup, mobile push        multi-channel-notification.ts
 *   3. SLA enforcement            the first-touch and decision ladders                     sla-enforcement.ts
 *      reassignment               the 4-hour rung, or ops                                  reassignment.ts
 *   4. rejection recycling        accept / reject, re-nurture, re-evaluation               rejection-recycling.ts
 *
 * Deterministic orchestration only: the rules live in src/domain, every side effect is an activity.
 */
import { isOpenForSales, type HandoffOutcome } from '../../domain/handoff-rules';
import type { HandoffResult } from '../definitions';
import { patched } from '@temporalio/workflow';
import { policy } from './activities';
import { PATCH_DEAL_AND_TASK_TOGETHER, PATCH_EFFECTS_TOGETHER } from './patches';
import { HandoffContext, type HandoffInput } from './context';
import { handOver } from './continue-as-new';
import { installHandlers } from './handlers';
import { qualifyAndRoute, writeAssignment } from './instant-routing';
import { announceAssignment } from './multi-channel-notification';
import { applyDecision, renurture } from './rejection-recycling';
import { enforceSla } from './sla-enforcement';
import { statusOf } from './state';

export type { HandoffState, MqlHandoffResume } from './state';

export async function mqlHandoff(input: HandoffInput): Promise<HandoffResult> {
  const h = new HandoffContext(input);
  installHandlers(h);
  h.dealAndTaskTogether = patched(PATCH_DEAL_AND_TASK_TOGETHER);
  h.effectsTogether = patched(PATCH_EFFECTS_TOGETHER);
  h.policy = await policy.loadHandoffPolicy();

  if (!input.resume) {
    h.log('mql_trigger', `MQL trigger: ${input.trigger.kind}`, input.trigger.detail);
    h.publish();
    const routed = await qualifyAndRoute(h);
    if ('outcome' in routed) return finish(h, routed.outcome);
    await announceAssignment(
      h,
      await writeAssignment(h, routed.assignee, routed.claimed, routed.because),
      routed.because,
    );
    if (h.s.stage === 'routing') h.enter('awaiting_first_touch');
  } else {
    h.log('resumed', 'resumed after continue-as-new', `stage ${h.s.stage}`);
  }

  for (;;) {
    if (h.s.stage === 'renurturing') return finish(h, await renurture(h));
    if (!isOpenForSales(h.s.stage)) return finish(h, h.s.outcome ?? 'disqualified');
    if ((await enforceSla(h)) === 'hand_over') {
      await handOver(h);
      continue;
    }
    const outcome = await applyDecision(h);
    if (outcome !== 'renurture') return finish(h, outcome);
  }
}

function finish(h: HandoffContext, outcome: HandoffOutcome): HandoffResult {
  h.s.outcome = outcome;
  h.s.nextDeadline = null;
  h.publish();
  return { outcome, status: statusOf(h.s) };
}
