/**
 * `handoff stuck`: running handoffs past their deadline, from a visibility query on the search attributes the
 * workflow keeps current (src/workflows/definitions.ts `SA`): awaiting first touch past the SLA (`SlaDueAt` is the
 * first-touch deadline), or awaiting accept/reject past the decision escalation (`SlaDueAt` is then that
 * deadline). `--older-than 2h` keeps only those overdue by at least that long.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { formatDuration, parseDurationMs } from '../../domain/duration';
import { findTeam } from '../../domain/org';
import { HANDOFF_WORKFLOW_TYPE, parseHandoffWorkflowId, SA } from '../../workflows/definitions';
import { usageError } from './cli-error';
import type { CliContext } from './cli-context';

export interface StuckLead {
  workflowId: string;
  contactId: string | null;
  stage: string | null;
  repId: string | null;
  team: string | null;
  rung: string | null;
  priority: string | null;
  leadType: string | null;
  slaDueAt: string | null;
  overdueMs: number | null;
  mqlAt: string | null;
}

function stuckQuery(opts: { cutoff: Date; team?: string; rep?: string }): string {
  const clauses = [
    `WorkflowType = "${HANDOFF_WORKFLOW_TYPE}"`,
    'ExecutionStatus = "Running"',
    `(${SA.LeadStage.name} = "awaiting_first_touch" OR ${SA.LeadStage.name} = "awaiting_decision")`,
    `${SA.SlaDueAt.name} < "${opts.cutoff.toISOString()}"`,
  ];
  if (opts.team) clauses.push(`${SA.Team.name} = "${opts.team}"`);
  if (opts.rep) clauses.push(`${SA.AssignedRep.name} = "${opts.rep}"`);
  return clauses.join(' AND ');
}

export async function stuckCommand(
  ctx: CliContext,
  opts: { team?: string; rep?: string; olderThan?: string; json?: boolean; limit?: string },
): Promise<void> {
  const config = ctx.config();
  if (opts.team !== undefined && !findTeam(config, opts.team)) {
    throw usageError(`unknown team "${opts.team}": expected one of ${config.teams.map((t) => t.id).join(', ')}`);
  }
  if (opts.rep !== undefined) ctx.rep(opts.rep);
  let olderThanMs = 0;
  if (opts.olderThan !== undefined) {
    try {
      olderThanMs = parseDurationMs(opts.olderThan);
    } catch (e) {
      throw usageError(`--older-than: ${(e as Error).message}`);
    }
  }
  const limit = opts.limit === undefined ? 500 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit "${opts.limit}": expected a whole number ≥ 1`);

  const now = ctx.io.now();
  const query = stuckQuery({ cutoff: new Date(now - olderThanMs), team: opts.team, rep: opts.rep });
  const leads = await ctx.temporal(async (c) => {
    const found: StuckLead[] = [];
    for await (const info of c.workflow.list({ query })) {
      found.push(stuckLeadOf(info, now));
      if (found.length >= limit) break;
    }
    return found;
  });
  leads.sort((a, b) => (b.overdueMs ?? 0) - (a.overdueMs ?? 0));
  if (opts.json) {
    ctx.line(JSON.stringify(leads, null, 2));
    return;
  }
  if (leads.length === 0) {
    ctx.line(`no stuck leads${opts.olderThan ? ` overdue by ${opts.olderThan} or more` : ''}`);
    return;
  }
  ctx.io.out(table(leads));
}

function stuckLeadOf(info: WorkflowExecutionInfo, now: number): StuckLead {
  const sa = info.typedSearchAttributes;
  const due = sa.get(SA.SlaDueAt);
  const mqlAt = sa.get(SA.MqlAt);
  return {
    workflowId: info.workflowId,
    contactId: parseHandoffWorkflowId(info.workflowId)?.contactId ?? null,
    stage: sa.get(SA.LeadStage) ?? null,
    repId: sa.get(SA.AssignedRep) ?? null,
    team: sa.get(SA.Team) ?? null,
    rung: sa.get(SA.SlaRung) ?? null,
    priority: sa.get(SA.Priority) ?? null,
    leadType: sa.get(SA.LeadType) ?? null,
    slaDueAt: due ? due.toISOString() : null,
    overdueMs: due ? now - due.getTime() : null,
    mqlAt: mqlAt ? mqlAt.toISOString() : null,
  };
}

function table(leads: StuckLead[]): string {
  const header = ['LEAD', 'STAGE', 'REP', 'TEAM', 'RUNG', 'PRIORITY', 'DUE', 'OVERDUE'];
  const rows = leads.map((l) => [
    l.workflowId,
    l.stage ?? '-',
    l.repId ?? '-',
    l.team ?? '-',
    l.rung ?? '-',
    l.priority ?? '-',
    l.slaDueAt ? l.slaDueAt.replace(/:\d\d\.\d{3}Z$/, 'Z') : '-',
    l.overdueMs !== null ? formatDuration(l.overdueMs) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return (
    [fmt(header), ...rows.map(fmt), `${leads.length} stuck lead${leads.length === 1 ? '' : 's'}`].join('\n') + '\n'
  );
}
