/**
 * `handoff simulate quarter [--mqls 3000] [--seed 7] [--config other.yaml] [--compare a.yaml b.yaml] [--json]`:
 * a quarter of synthetic MQLs through the real handoff workflows on a time-skipping server of its own (see
 * src/simulation/run.ts), printing the five metrics and the assignment spread per rep — or, with --compare, two
 * configurations side by side on the same seed, to see what a routing or SLA change would do before it ships.
 */
import path from 'node:path';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../config/org-config-file';
import type { HealthFigures } from '../../domain/handoff-health';
import { simulateQuarter, type QuarterResult } from '../../simulation/run';
import { usageError } from './cli-error';
import type { CliContext } from './cli-context';

export interface SimulateQuarterOptions {
  mqls?: string;
  seed?: string;
  config?: string;
  compare?: string[];
  json?: boolean;
}

function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usageError(`${flag} "${value}": expected a whole number ≥ ${min}`);
  return n;
}

export async function simulateQuarterCommand(ctx: CliContext, opts: SimulateQuarterOptions): Promise<void> {
  const mqls = wholeNumber('--mqls', opts.mqls, 3000, 1);
  const seed = wholeNumber('--seed', opts.seed, 7, 0);
  if (opts.compare && opts.compare.length !== 2) {
    throw usageError(`--compare: expected two configuration files, got ${opts.compare.length}`);
  }
  if (opts.compare && opts.config) throw usageError('--config and --compare: give one or the other');
  const paths = opts.compare?.map((p) => path.resolve(p)) ?? [
    opts.config ? resolveOrgConfigPath({ HANDOFF_CONFIG: opts.config }) : resolveOrgConfigPath(),
  ];
  const configs = paths.map((p) => ({ path: p, config: loadOrgConfigFile(p) }));
  const results: { path: string; result: QuarterResult }[] = [];
  for (const { path, config } of configs) {
    ctx.io.err(`simulating ${mqls} MQLs (seed ${seed}) with ${path}\n`);
    const result = await simulateQuarter({ config, mqls, seed, log: (l) => ctx.io.err(`  ${l}\n`) });
    results.push({ path, result });
  }
  if (opts.json) {
    ctx.line(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
    return;
  }
  ctx.io.out(renderQuarter(results));
}

const pct = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)}%`);
const minutes = (f: HealthFigures): string =>
  f.speedToContact.medianMs === null ? '-' : `${(f.speedToContact.medianMs / 60_000).toFixed(1)} min`;

/** The five metrics per configuration (one column each), then each configuration's spread per rep. */
export function renderQuarter(results: { path: string; result: QuarterResult }[]): string {
  const rows: [string, (f: HealthFigures) => string][] = [
    ['MQLs', (f) => String(f.mqls)],
    ['Speed to contact (median)', minutes],
    ['SLA compliance', (f) => pct(f.slaCompliance.pct)],
    ['Acceptance rate', (f) => pct(f.acceptance.pct)],
    ['Rejections', (f) => pct(f.rejection.pct)],
    ['Drop rate', (f) => pct(f.drop.pct)],
    [
      'Recycle conversion',
      (f) => `${pct(f.recycleConversion.pct)} (${f.recycleConversion.count}/${f.recycleConversion.of})`,
    ],
  ];
  const header = ['', ...results.map((r) => r.path.split('/').pop()!)];
  const table = [header, ...rows.map(([label, of]) => [label, ...results.map((r) => of(r.result.figures))])];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
  for (const { path, result } of results) {
    lines.push(
      '',
      `${path}: ${result.mqls} MQLs ${result.from.slice(0, 10)} → ${result.to.slice(0, 10)}, ${result.seconds.toFixed(0)} s`,
    );
    lines.push('  assignments per rep: ' + result.spread.map((s) => `${s.repId} ${s.assignments}`).join(', '));
  }
  return lines.join('\n') + '\n';
}
