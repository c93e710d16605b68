/**
 * `handoff status | reassign | accept | reject | activity <lead>`: the workflow's query, updates and signal. Input
 * the CLI can check against the org config (rep, picklist reason, activity type) is checked before anything is
 * sent (exit 2); what only the workflow knows (owner, stage) comes back as its refusal, printed as it words it
 * (exit 1).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { userInfo } from 'node:os';
import { formatDuration } from '../../domain/duration';
import { validateRejectReason } from '../../domain/rejection';
import {
  acceptUpdate,
  reassignUpdate,
  rejectUpdate,
  REP_ACTIVITY_TYPES,
  repActivitySignal,
  statusQuery,
  type HandoffStatus,
  type RepActivityType,
} from '../../workflows/definitions';
import { refused, usageError } from './cli-error';
import type { CliContext } from './cli-context';

export async function statusCommand(ctx: CliContext, ref: string, opts: { json?: boolean }): Promise<void> {
  const { workflowId } = await ctx.lead(ref);
  const status = await ctx.withWorker('status query', (c) => c.workflow.getHandle(workflowId).query(statusQuery));
  if (opts.json) ctx.line(JSON.stringify(status, null, 2));
  else ctx.io.out(formatStatus(status, ctx.io.now()));
}

export async function reassignCommand(
  ctx: CliContext,
  ref: string,
  opts: { to?: string; reason: string; by?: string; json?: boolean },
): Promise<void> {
  if (opts.to !== undefined) ctx.rep(opts.to);
  if (!opts.reason.trim()) throw usageError('--reason: expected a non-empty reason for the reassignment');
  const { workflowId } = await ctx.lead(ref);
  const requestedBy = opts.by ?? `cli:${cliUser()}`;
  const result = await decide(ctx, workflowId, (h) =>
    h.executeUpdate(reassignUpdate, { args: [{ toRepId: opts.to, reason: opts.reason, requestedBy }] }),
  );
  if (opts.json) ctx.line(JSON.stringify({ workflowId, ...result }));
  else ctx.line(`${workflowId}: reassigned from ${result.fromRepId} to ${result.toRepId} at ${result.at}`);
}

export async function acceptCommand(
  ctx: CliContext,
  ref: string,
  opts: { as: string; note?: string; json?: boolean },
): Promise<void> {
  ctx.rep(opts.as);
  const { workflowId } = await ctx.lead(ref);
  const result = await decide(ctx, workflowId, (h) =>
    h.executeUpdate(acceptUpdate, { args: [{ repId: opts.as, ...(opts.note ? { note: opts.note } : {}) }] }),
  );
  if (opts.json) ctx.line(JSON.stringify({ workflowId, ...result }));
  else ctx.line(`${workflowId}: ${result.stage} by ${opts.as} at ${result.at}`);
}

export async function rejectCommand(
  ctx: CliContext,
  ref: string,
  opts: { as: string; reason: string; note?: string; json?: boolean },
): Promise<void> {
  ctx.rep(opts.as);
  const invalid = validateRejectReason(ctx.config(), opts.reason);
  if (invalid) throw usageError(`--reason: ${invalid}`);
  const { workflowId } = await ctx.lead(ref);
  const input = { repId: opts.as, reason: opts.reason, ...(opts.note ? { note: opts.note } : {}) };
  const result = await decide(ctx, workflowId, (h) => h.executeUpdate(rejectUpdate, { args: [input] }));
  if (opts.json) ctx.line(JSON.stringify({ workflowId, ...result }));
  else ctx.line(`${workflowId}: ${result.stage} (${opts.reason}) by ${opts.as} at ${result.at}`);
}

export async function activityCommand(
  ctx: CliContext,
  ref: string,
  opts: { type: string; as?: string; json?: boolean },
): Promise<void> {
  if (!(REP_ACTIVITY_TYPES as readonly string[]).includes(opts.type)) {
    throw usageError(`--type "${opts.type}": expected one of ${REP_ACTIVITY_TYPES.join(', ')}`);
  }
  if (opts.as !== undefined) ctx.rep(opts.as);
  const { workflowId, description } = await ctx.lead(ref);
  if (description.status.name !== 'RUNNING') {
    throw refused(`${workflowId} is ${description.status.name.toLowerCase()}: no activity recorded`);
  }
  const at = new Date(ctx.io.now()).toISOString();
  await decide(ctx, workflowId, (h) =>
    h.signal(repActivitySignal, {
      type: opts.type as RepActivityType,
      source: 'cli',
      at,
      ...(opts.as ? { repId: opts.as } : {}),
    }),
  );
  if (opts.json) ctx.line(JSON.stringify({ workflowId, signalled: 'repActivity', type: opts.type, at }));
  else ctx.line(`${workflowId}: ${opts.type} recorded at ${at}`);
}

/** Runs an update/signal; the workflow's refusal (validator or handler) becomes exit 1 with its words. */
async function decide<T>(ctx: CliContext, workflowId: string, fn: (h: WorkflowHandle) => Promise<T>): Promise<T> {
  return ctx.withWorker('request', async (c) => {
    try {
      return await fn(c.workflow.getHandle(workflowId));
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError) {
        throw refused(`refused by ${workflowId}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
      }
      if (e instanceof WorkflowNotFoundError) throw refused(`${workflowId} is closed: nothing changed`);
      throw e;
    }
  });
}

/** Who ran the command, for the reassignment's `requestedBy` (the OS user; some containers have none). */
function cliUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function formatStatus(s: HandoffStatus, nowMs: number): string {
  const rows: [string, string][] = [
    ['lead', `${s.workflowId} (HubSpot contact ${s.contactId}${s.cycle ? `, cycle ${s.cycle}` : ''})`],
    ['stage', s.stage + (s.outcome ? ` — outcome ${s.outcome}` : '')],
    [
      'type',
      [s.leadType ?? 'not qualified yet', s.priority ? `${s.priority} priority` : null].filter(Boolean).join(', '),
    ],
    ['owner', s.owner ? `${s.owner.name} (${s.owner.repId}), team ${s.team ?? '?'}` : 'nobody yet'],
    ['rung', s.rung],
    [
      'next',
      s.nextDeadline
        ? `${s.nextDeadline.what} at ${s.nextDeadline.at} (${relative(Date.parse(s.nextDeadline.at) - nowMs)})`
        : 'nothing scheduled',
    ],
    ['MQL at', s.mqlAt ?? '—'],
    ['SLA due', s.slaDueAt ?? '—'],
    [
      'first touch',
      s.firstTouchAt
        ? `${s.firstTouchAt}${s.speedToContactMs !== null ? ` (${formatDuration(s.speedToContactMs)} after MQL)` : ''}`
        : '—',
    ],
    ['reassigned', String(s.reassignments)],
  ];
  if (s.rejectReason) rows.push(['rejected', s.rejectReason]);
  if (s.disqualificationReasons.length) rows.push(['disqualified', s.disqualificationReasons.join('; ')]);
  if (s.flags.length) rows.push(['flags', s.flags.join(', ')]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  lines.push('', 'timeline');
  for (const e of s.timeline) lines.push(`  ${e.at}  ${e.event}${e.detail ? ` — ${e.detail}` : ''}`);
  return `${lines.join('\n')}\n`;
}

function relative(ms: number): string {
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
}
