/**
 * Workflow changes made while leads may be sleeping in older versions. Each id guards one change with
 * `patched()`; histories recorded before the change (test/histories/v1-*) replay the old path.
 */

/** Enter `awaiting_first_touch` before notifying, so a rep who clicks Accept the moment the DM lands is heard. */
export const PATCH_READY_BEFORE_NOTIFY = 'ready-for-decisions-before-notify';

/** The ladders count in the assignee's calendar (the rep's own time zone) instead of the team calendar's zone. */
/**
 * Notify through one activity per channel (the DM retried until the first rung, email as fallback, NotifyFailed and
 * the manager when nobody was reached) instead of one notifyAssignee activity.
 */
export const PATCH_NOTIFY_PER_CHANNEL = 'notify-per-channel';

/** First touch is written to the CRM (lead status in progress, on both sides). */
export const PATCH_CRM_FIRST_TOUCH = 'crm-first-touch';

/**
 * One round trip fewer per assignment: once the owner is written, the deal and the follow-up task are written
 * together (both hang off the sales-side record the owner write creates, so they cannot go before it).
 */
export const PATCH_DEAL_AND_TASK_TOGETHER = 'deal-and-task-together';

/**
 * The independent side effects of a step run together: on first touch (task, CRM, DM), on a decision (CRM, task,
 * DM, notice, roster) and on reassignment (roster, task, DM; then the two notices).
 */
export const PATCH_EFFECTS_TOGETHER = 'effects-together';

export const PATCH_ASSIGNEE_CALENDAR = 'sla-in-assignee-calendar';
