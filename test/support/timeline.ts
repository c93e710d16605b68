/**
 * Reading a handoff's timeline by its typed kinds (src/domain/timeline.ts), never by its human text.
 */
import type { CurrentRung, HandoffStatus, TimelineEntry, TimelineKind } from '../../src/workflows/definitions';

export function entriesOf(status: Pick<HandoffStatus, 'timeline'>, kind: TimelineKind): TimelineEntry[] {
  return status.timeline.filter((e) => e.kind === kind);
}

export function firstOf(status: Pick<HandoffStatus, 'timeline'>, kind: TimelineKind): TimelineEntry | undefined {
  return status.timeline.find((e) => e.kind === kind);
}

export function hasEntry(status: Pick<HandoffStatus, 'timeline'>, kind: TimelineKind): boolean {
  return status.timeline.some((e) => e.kind === kind);
}

/** The rungs that fired, in order, from both ladders. */
export function rungsFired(status: Pick<HandoffStatus, 'timeline'>): CurrentRung[] {
  return status.timeline.filter((e) => e.kind === 'sla_rung' || e.kind === 'decision_rung').map((e) => e.rung!);
}
