/**
 * Durations in configuration are short strings: "30m", "2h", "4h", "90d", "1h30m", "45s".
 * Units: d (24 h), h, m, s. Pure and deterministic: safe in workflow code.
 */
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };
const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export function isDuration(text: string): boolean {
  return text.length > 0 && DURATION_RE.test(text) && parseDurationMs(text) > 0;
}

/** Milliseconds in `text`; throws with the offending value when it is not a duration. */
export function parseDurationMs(text: string): number {
  const m = DURATION_RE.exec(text.trim());
  if (!m || text.trim() === '') {
    throw new Error(`invalid duration "${text}": expected e.g. "30m", "4h", "90d" or "1h30m"`);
  }
  const [, d, h, mi, s] = m;
  return (
    Number(d ?? 0) * UNIT_MS.d! +
    Number(h ?? 0) * UNIT_MS.h! +
    Number(mi ?? 0) * UNIT_MS.m! +
    Number(s ?? 0) * UNIT_MS.s!
  );
}

/** "2h 30m" style rendering for messages. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0m';
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ') || '0m';
}
