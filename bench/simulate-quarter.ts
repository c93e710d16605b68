/**
 * `npm run bench:simulate`: how long a simulated quarter takes on this machine (`handoff simulate quarter` is the
 * product; this times it). Prints wall-clock seconds, MQLs per wall-clock second and the quarter's figures.
 * BENCH_MQLS (default 2000), BENCH_SEED (7).
 */
import os from 'node:os';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../src/config/org-config-file';
import { simulateQuarter } from '../src/simulation/run';

async function main(): Promise<void> {
  const mqls = Number(process.env.BENCH_MQLS ?? 2000);
  const seed = Number(process.env.BENCH_SEED ?? 7);
  const config = loadOrgConfigFile(resolveOrgConfigPath());
  const r = await simulateQuarter({ config, mqls, seed, log: (l) => process.stdout.write(`  ${l}\n`) });
  const f = r.figures;
  process.stdout.write(
    [
      `simulated quarter: ${r.mqls} MQLs (seed ${r.seed}) on ${os.cpus().length} CPUs`,
      `  wall clock: ${r.seconds.toFixed(1)} s (${(r.mqls / r.seconds).toFixed(1)} MQLs/s); target < 300 s: ${r.seconds < 300 ? 'met' : 'missed'}`,
      `  speed to contact median: ${f.speedToContact.medianMs === null ? '-' : (f.speedToContact.medianMs / 60_000).toFixed(1)} min`,
      `  SLA compliance ${f.slaCompliance.pct?.toFixed(1)}%, acceptance ${f.acceptance.pct?.toFixed(1)}%, drop ${f.drop.pct?.toFixed(1)}%, recycle conversion ${f.recycleConversion.pct?.toFixed(1)}%`,
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
