/**
 * Renders the weekly digest of a made-up month (2026-W45…W48, New York) with the demo org of
 * config/handoff.config.yaml: the chart to docs/digest-example.png (the README's picture), and with `--all` the
 * Slack blocks (docs/digest-example.blocks.json) and the email (docs/digest-example.html) next to it.
 *
 *   npm run build && node dist/scripts/render-digest-example.js [--all]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { digestBlocks, digestChartPng, digestEmail, digestLabels, digestView } from '../src/activities/digest-render';
import { DIGEST_VOLUME_WEEKS } from '../src/activities/weekly-digest';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../src/config/org-config-file';
import { healthReport, weekWindow, type HandoffRecord } from '../src/domain/handoff-health';

const MIN = 60_000;
const config = loadOrgConfigFile(resolveOrgConfigPath());
const zone = config.health.digest.timeZone;
const reps = config.teams.flatMap((t) => t.reps.map((r) => ({ rep: r.id, team: t.id })));

/** One lead: `day` 0–6 from Monday, at `hour` local; touched `touch` minutes after the MQL (null: never). */
interface Lead {
  day: number;
  hour: number;
  touch: number | null;
  stage?: HandoffRecord['stage'];
  reason?: string;
  missedBy?: boolean;
  cycle?: number;
}

function records(week: string, leads: Lead[]): HandoffRecord[] {
  const { start } = weekWindow(week, zone);
  return leads.map((l, i) => {
    const at = new Date(start.getTime() + (l.day * 24 + l.hour) * 60 * MIN);
    const who = reps[(i * 3 + week.length) % reps.length]!;
    const stage = l.stage ?? (l.touch === null ? 'awaiting_first_touch' : 'accepted');
    return {
      workflowId: `mql-hubspot-${week.slice(6)}${String(i + 1).padStart(2, '0')}`,
      cycle: l.cycle ?? 0,
      stage,
      mqlAt: at.toISOString(),
      firstTouchAt: l.touch === null ? null : new Date(at.getTime() + l.touch * MIN).toISOString(),
      slaDueAt: l.touch === null ? new Date(at.getTime() + 4 * 60 * MIN).toISOString() : null,
      slaMissedBy: l.missedBy ? [who.rep] : [],
      rejectReason: l.reason ?? null,
      rep: who.rep,
      team: who.team,
      leadType: i % 3 === 0 ? 'behavioral' : 'demo_request',
      source: i % 2 === 0 ? 'ORGANIC_SEARCH' : 'PAID_SEARCH',
      closedAt: stage === 'accepted' || stage === 'rejected' ? at.toISOString() : null,
    };
  });
}

const filler = (n: number): Lead[] =>
  Array.from({ length: n }, (_, i) => ({ day: i % 5, hour: 10, touch: 6 + (i % 9) }));

const lastWeek: Lead[] = [
  ...filler(11),
  { day: 1, hour: 15, touch: 45, missedBy: true },
  { day: 2, hour: 11, touch: 9, stage: 'rejected', reason: 'wrong_title' },
  { day: 3, hour: 16, touch: 12, stage: 'rejected', reason: 'no_budget_signal' },
  { day: 4, hour: 9, touch: null, missedBy: true },
];

const thisWeek: Lead[] = [
  { day: 0, hour: 9, touch: 3 },
  { day: 0, hour: 10, touch: 5 },
  { day: 0, hour: 14, touch: 7, stage: 'rejected', reason: 'wrong_title' },
  { day: 1, hour: 9, touch: 4 },
  { day: 1, hour: 11, touch: 6 },
  { day: 1, hour: 13, touch: 8, stage: 'renurturing', reason: 'timing_not_right' },
  { day: 1, hour: 16, touch: 95, missedBy: true },
  { day: 2, hour: 9, touch: 2 },
  { day: 2, hour: 12, touch: 6 },
  { day: 2, hour: 15, touch: 9, stage: 'rejected', reason: 'no_budget_signal' },
  { day: 3, hour: 10, touch: 5 },
  { day: 3, hour: 11, touch: 4, cycle: 1 },
  { day: 3, hour: 14, touch: 11 },
  { day: 4, hour: 9, touch: 3 },
  { day: 4, hour: 10, touch: null, missedBy: true },
  { day: 4, hour: 13, touch: 7, stage: 'rejected', reason: 'wrong_title' },
  { day: 4, hour: 16, touch: 6 },
];

const all = [
  ...records('2026-W45', filler(12)),
  ...records('2026-W46', filler(16)),
  ...records('2026-W47', lastWeek),
  ...records('2026-W48', thisWeek),
];
const report = healthReport(all, {
  week: '2026-W48',
  policy: config.health,
  now: new Date('2026-11-30T13:00:00Z'),
  volumeWeeks: DIGEST_VOLUME_WEEKS,
});
const view = digestView(report, digestLabels(config));
const docs = path.resolve(__dirname, '..', '..', 'docs');

void digestChartPng(view).then((png) => {
  writeFileSync(path.join(docs, 'digest-example.png'), png);
  process.stdout.write(`docs/digest-example.png: ${png.length} bytes\n`);
  if (process.argv.includes('--all')) {
    writeFileSync(path.join(docs, 'digest-example.blocks.json'), JSON.stringify(digestBlocks(view), null, 2));
    writeFileSync(path.join(docs, 'digest-example.html'), digestEmail(view, { chart: false }).html);
    process.stdout.write('docs/digest-example.blocks.json, docs/digest-example.html\n');
  }
});
