/**
 * `npm run bench:quarter`: how long a simulated quarter takes on this machine (`handoff simulate quarter` is the
 * product; this times it), and whether its figures move the way they should when staffing or the SLA changes.
 *
 * Runs the baseline org config, then (unless BENCH_VARIANTS=none) the same seed with
 *  - `half-sdr-staff`: the SDR Inbound team without its last two reps (fewer hands, same inflow), and
 *  - `sla-15m`: every ladder's first-touch SLA tightened to 15 minutes,
 * and prints the five metrics side by side with the expected direction of each change checked.
 * BENCH_MQLS (default 2000), BENCH_VARIANT_MQLS (default BENCH_MQLS), BENCH_SEED (7), BENCH_VARIANTS
 * (comma list of half-sdr-staff, sla-15m, or none). Writes bench/results/quarter-<time>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../src/config/org-config-file';
import type { HealthFigures } from '../src/domain/handoff-health';
import type { OrgConfig } from '../src/domain/org-config';
import { simulateQuarter, type QuarterResult } from '../src/simulation/run';

const TIME_TARGET_S = 300;

interface Variant {
  name: string;
  describe: string;
  apply(config: OrgConfig): OrgConfig;
  /** What must move, and which way, against the baseline. */
  expect: { figure: string; of: (f: HealthFigures) => number | null; direction: 'up' | 'down' }[];
}

const speedMin = (f: HealthFigures): number | null =>
  f.speedToContact.medianMs === null ? null : f.speedToContact.medianMs / 60_000;
const sla = (f: HealthFigures): number | null => f.slaCompliance.pct;

const VARIANTS: Variant[] = [
  {
    name: 'half-sdr-staff',
    describe: 'SDR Inbound without its last two reps',
    apply(config) {
      const c = structuredClone(config);
      const sdr = c.teams.find((t) => t.id === 'sdr-inbound') ?? c.teams[0]!;
      sdr.reps = sdr.reps.slice(0, Math.max(1, sdr.reps.length - 2));
      return c;
    },
    expect: [
      { figure: 'speed to contact (median)', of: speedMin, direction: 'up' },
      { figure: 'SLA compliance', of: sla, direction: 'down' },
    ],
  },
  {
    name: 'sla-15m',
    describe: 'first-touch SLA 15 min on every ladder',
    apply(config) {
      const c = structuredClone(config);
      for (const ladder of Object.values(c.sla.ladders)) ladder.firstTouchWithin = '15m';
      return c;
    },
    expect: [{ figure: 'SLA compliance', of: sla, direction: 'down' }],
  },
];

const fmt = (v: number | null, unit: string): string => (v === null ? '-' : `${v.toFixed(1)}${unit}`);

function figuresLine(name: string, r: QuarterResult): string {
  const f = r.figures;
  return [
    name.padEnd(16),
    `${String(f.mqls).padStart(5)} MQLs`,
    `${r.seconds.toFixed(1).padStart(6)} s`,
    `speed ${fmt(speedMin(f), ' min').padStart(9)}`,
    `SLA ${fmt(f.slaCompliance.pct, '%').padStart(6)}`,
    `accept ${fmt(f.acceptance.pct, '%').padStart(6)}`,
    `drop ${fmt(f.drop.pct, '%').padStart(5)}`,
    `recycle ${fmt(f.recycleConversion.pct, '%').padStart(6)}`,
  ].join('  ');
}

async function main(): Promise<void> {
  const mqls = Number(process.env.BENCH_MQLS ?? 2000);
  const variantMqls = Number(process.env.BENCH_VARIANT_MQLS ?? mqls);
  const seed = Number(process.env.BENCH_SEED ?? 7);
  const wanted = (process.env.BENCH_VARIANTS ?? VARIANTS.map((v) => v.name).join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'none');
  const unknown = wanted.filter((w) => !VARIANTS.some((v) => v.name === w));
  if (unknown.length) {
    throw new Error(
      `BENCH_VARIANTS: unknown ${unknown.join(', ')}; expected ${VARIANTS.map((v) => v.name).join(', ')} or none`,
    );
  }
  const config = loadOrgConfigFile(resolveOrgConfigPath());
  const log = (l: string): void => void process.stderr.write(`  ${l}\n`);

  process.stdout.write(`simulated quarter on ${os.cpus().length} CPUs, seed ${seed}\n`);
  const baseline = await simulateQuarter({ config, mqls, seed, log });
  process.stdout.write(`${figuresLine('baseline', baseline)}\n`);
  const timeMet = baseline.seconds < TIME_TARGET_S;
  process.stdout.write(
    `  ${baseline.mqls} MQLs in ${baseline.seconds.toFixed(1)} s = ${(baseline.mqls / baseline.seconds).toFixed(2)} MQLs/s; ` +
      `target < ${TIME_TARGET_S} s: ${timeMet ? 'met' : 'MISSED'} (ratio ${(baseline.seconds / TIME_TARGET_S).toFixed(2)}× the limit)\n`,
  );

  // Variants compare against a baseline of the same size.
  const reference =
    wanted.length && variantMqls !== mqls ? await simulateQuarter({ config, mqls: variantMqls, seed, log }) : baseline;
  if (reference !== baseline) process.stdout.write(`${figuresLine(`baseline@${variantMqls}`, reference)}\n`);
  const variants: { name: string; describe: string; result: QuarterResult; checks: string[]; ok: boolean }[] = [];
  for (const v of VARIANTS.filter((x) => wanted.includes(x.name))) {
    const result = await simulateQuarter({ config: v.apply(config), mqls: variantMqls, seed, log });
    const checks = v.expect.map((e) => {
      const before = e.of(reference.figures);
      const after = e.of(result.figures);
      const moved = before !== null && after !== null && (e.direction === 'up' ? after > before : after < before);
      return `${e.figure} ${fmt(before, '')} → ${fmt(after, '')} (expected ${e.direction}: ${moved ? 'yes' : 'NO'})`;
    });
    const ok = checks.every((c) => c.endsWith('yes)'));
    variants.push({ name: v.name, describe: v.describe, result, checks, ok });
    process.stdout.write(`${figuresLine(v.name, result)}\n`);
    for (const c of checks) process.stdout.write(`  ${v.describe}: ${c}\n`);
  }

  const dir = path.join(process.cwd(), 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `quarter-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const summary = (r: QuarterResult) => ({ mqls: r.mqls, seconds: r.seconds, figures: r.figures, spread: r.spread });
  fs.writeFileSync(
    file,
    `${JSON.stringify(
      {
        bench: 'simulate-quarter',
        at: new Date().toISOString(),
        cpus: os.cpus().length,
        seed,
        timeTargetSeconds: TIME_TARGET_S,
        baseline: summary(baseline),
        variants: variants.map((v) => ({
          name: v.name,
          describe: v.describe,
          checks: v.checks,
          ok: v.ok,
          ...summary(v.result),
        })),
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
