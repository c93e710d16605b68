/**
 * What every component of the handoff shares: the state, the policy (the org configuration, loaded once and
 * recorded in history), idempotency keys, the timeline, stage transitions, and the requests the message handlers
 * hand over to the main loop.
 */
import { ActivityFailure, workflowInfo } from '@temporalio/workflow';
import type { OrgConfig } from '../../domain/org-config';
import type {
  AcceptInput,
  DecisionResult,
  HandoffTrigger,
  LeadStage,
  MqlHandoffInput,
  ReassignInput,
  ReassignResult,
  RejectInput,
  TimelineEntry,
  TimelineKind,
} from '../definitions';
import { publishSearchAttributes } from './search-attributes';
import { initialState, upgradeState, type HandoffState, type MqlHandoffResume } from './state';

const TIMELINE_LIMIT = 300;

/** An accept or reject the update handler has accepted and waits on; the main loop applies it. */
export type PendingDecision =
  | { kind: 'accept'; input: AcceptInput; result?: DecisionResult }
  | { kind: 'reject'; input: RejectInput; result?: DecisionResult };

/** An ops reassignment the update handler waits on; the main loop applies it. */
export interface PendingReassign {
  input: ReassignInput;
  result?: ReassignResult;
  error?: string;
}

export type HandoffInput = MqlHandoffInput & { resume?: MqlHandoffResume };

export class HandoffContext {
  readonly s: HandoffState;
  private loadedPolicy: OrgConfig | null = null;
  pendingDecision: PendingDecision | null = null;
  pendingReassign: PendingReassign | null = null;
  /** Set once at start (patched): the deal and the task written together, see patches.ts. */
  dealAndTaskTogether = false;
  /** Set once at start (patched): independent side effects of one step run together, see patches.ts. */
  effectsTogether = false;
  /** A new MQL event for this lead while it sleeps in re-nurture, not yet acted on. */
  returned: HandoffTrigger | null = null;

  constructor(readonly input: HandoffInput) {
    this.s = input.resume ? upgradeState(input.resume.state) : initialState(input, workflowInfo().workflowId);
  }

  /** The org configuration; every component runs after it is loaded. */
  get policy(): OrgConfig {
    if (!this.loadedPolicy) throw new Error('the handoff policy is not loaded yet');
    return this.loadedPolicy;
  }

  /** Null until loaded: validators run before the first activity completes. */
  get policyIfLoaded(): OrgConfig | null {
    return this.loadedPolicy;
  }

  set policy(p: OrgConfig) {
    this.loadedPolicy = p;
  }

  /** Idempotency key of a side effect: the same step of the same handoff cycle always has the same key. */
  key(step: string): string {
    return `${this.s.workflowId}:c${this.s.cycle}:${step}`;
  }

  now(): Date {
    return new Date();
  }

  log(
    kind: TimelineKind,
    event: string,
    detail?: string,
    extra: Pick<TimelineEntry, 'rung' | 'stage' | 'notice'> = {},
  ): void {
    const entry: TimelineEntry = { at: this.now().toISOString(), kind, event, ...extra };
    if (detail !== undefined) entry.detail = detail;
    const timeline = this.s.timeline;
    timeline.push(entry);
    if (timeline.length > TIMELINE_LIMIT) timeline.splice(1, timeline.length - TIMELINE_LIMIT);
  }

  publish(): void {
    publishSearchAttributes(this.s);
  }

  enter(stage: LeadStage): void {
    if (this.s.stage !== stage) this.log('stage', `stage: ${stage}`, undefined, { stage });
    this.s.stage = stage;
    this.publish();
  }

  flag(flag: string): void {
    this.s.flags.push(flag);
  }

  /** Records that the assignment's rep let the first-touch deadline pass (once per rep), as of now. */
  noteSlaMiss(a: { assignee: { id: string }; slaDueAt: string }): void {
    const late = this.now().getTime() > Date.parse(a.slaDueAt);
    if (late && !this.s.slaMissedBy.includes(a.assignee.id)) this.s.slaMissedBy.push(a.assignee.id);
  }

  /**
   * Side effects of one step that do not depend on each other: together (one round trip), or one after the other
   * in this order for runs recorded before that (patches.ts). Each is a thunk, started only when its turn comes.
   */
  async effects(...steps: (() => Promise<unknown>)[]): Promise<void> {
    if (this.effectsTogether) await Promise.all(steps.map((step) => step()));
    else for (const step of steps) await step();
  }

  /** Runs a side effect that may be refused for good (4xx): records it and carries on rather than drop the lead. */
  async tolerate<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      this.flag(`${what} failed`);
      this.log('step_failed', `${what} failed`, failureMessage(e));
      return null;
    }
  }
}

export function failureMessage(e: ActivityFailure): string {
  return e.cause instanceof Error ? e.cause.message : e.message;
}
