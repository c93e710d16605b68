/**
 * The handoff-health records (src/domain/handoff-health.ts) read back from Temporal visibility: every handoff run
 * (one per MQL cycle, running or closed) with its search attributes. Used by `handoff report`, the worker's
 * Prometheus endpoint and the weekly digest.
 *
 * Visibility keeps a closed run for the namespace's retention period only: a report reaches back as far as the
 * retention does (the weekly digest needs two weeks; `npm start` sets the local namespace to 30 days).
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { HandoffRecord } from '../domain/handoff-health';
import { LEAD_STAGES, type LeadStage } from '../domain/handoff-rules';
import { LEAD_TYPES, type LeadType } from '../domain/lead';
import { HANDOFF_WORKFLOW_TYPE, SA } from '../workflows/definitions';

/** The visibility query for handoffs whose MQL moment falls in [from, to), or that were recycled in it. */
export function handoffRecordsQuery(from: Date, to: Date): string {
  const f = JSON.stringify(from.toISOString());
  const t = JSON.stringify(to.toISOString());
  return (
    `WorkflowType = ${JSON.stringify(HANDOFF_WORKFLOW_TYPE)} AND ` +
    `((${SA.MqlAt.name} >= ${f} AND ${SA.MqlAt.name} < ${t}) OR ` +
    `(${SA.LeadStage.name} = "recycled" AND CloseTime >= ${f} AND CloseTime < ${t}))`
  );
}

export function handoffRecordOf(info: WorkflowExecutionInfo): HandoffRecord {
  const sa = info.typedSearchAttributes;
  const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);
  const stage = sa.get(SA.LeadStage);
  const leadType = sa.get(SA.LeadType);
  const mqlAt = sa.get(SA.MqlAt);
  // A run continued as new keeps the search attributes its predecessor had until it sets its own, and the
  // workflow sets FirstTouchAt only once touched: a cycle handed off again after re-nurture shows the last
  // cycle's first touch until its own. A first touch before the cycle's MQL is that one: not this cycle's.
  const touched = sa.get(SA.FirstTouchAt);
  const firstTouchAt = touched && mqlAt && touched.getTime() < mqlAt.getTime() ? undefined : touched;
  return {
    workflowId: info.workflowId,
    cycle: Number(sa.get(SA.HandoffCycle) ?? 0),
    stage: (LEAD_STAGES as readonly string[]).includes(stage ?? '') ? (stage as LeadStage) : 'qualifying',
    mqlAt: iso(mqlAt),
    firstTouchAt: iso(firstTouchAt),
    slaDueAt: iso(sa.get(SA.SlaDueAt)),
    slaMissedBy: sa.get(SA.SlaMissedBy) ?? [],
    rejectReason: sa.get(SA.RejectReason) ?? null,
    rep: sa.get(SA.AssignedRep) ?? null,
    team: sa.get(SA.Team) ?? null,
    leadType: (LEAD_TYPES as readonly string[]).includes(leadType ?? '') ? (leadType as LeadType) : null,
    source: sa.get(SA.LeadSource) ?? null,
    closedAt: iso(info.closeTime),
  };
}

/**
 * One run per handoff cycle: a long-lived lead that continued as new within a cycle (a bounded history,
 * continue-as-new.ts) leaves a closed run behind with the same workflow id, cycle and MQL moment and the search
 * attributes of the moment it handed over. Only the latest run of a cycle speaks for it (runs of one workflow id
 * never overlap, so the latest is the one that started last).
 */
export function latestRunPerCycle(infos: WorkflowExecutionInfo[]): WorkflowExecutionInfo[] {
  const cycleOf = (info: WorkflowExecutionInfo) =>
    `${info.workflowId}#${Number(info.typedSearchAttributes.get(SA.HandoffCycle) ?? 0)}`;
  const latest = new Map<string, WorkflowExecutionInfo>();
  for (const info of infos) {
    const seen = latest.get(cycleOf(info));
    if (!seen || info.startTime.getTime() > seen.startTime.getTime()) latest.set(cycleOf(info), info);
  }
  return infos.filter((info) => latest.get(cycleOf(info)) === info);
}

/** Every handoff record for [from, to) (one per cycle), newest first as visibility lists them. */
export async function listHandoffRecords(client: Client, from: Date, to: Date): Promise<HandoffRecord[]> {
  const infos: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: handoffRecordsQuery(from, to) })) infos.push(info);
  return latestRunPerCycle(infos).map(handoffRecordOf);
}
