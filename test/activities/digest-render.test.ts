/**
 * The weekly digest's renderers on a report written out by hand (the hand-placed week of
 * test/support/health-week.ts): the Slack blocks, the email and the chart say the same figures, in the words
 * and at the positions worked out below, within Block Kit's rules, with every value escaped.
 */
import type { KnownBlock } from '@slack/web-api';
import {
  digestBlocks,
  digestChartPng,
  digestChartSvg,
  digestEmail,
  digestView,
  DIGEST_BLOCK_IDS,
  DIGEST_CHART_CID,
  type DigestLabels,
} from '../../src/activities/digest-render';
import { niceCeil } from '../../src/activities/digest-render/digest-chart';
import { mqlCount, num, weekRange } from '../../src/activities/digest-render/digest-view';
import type { HealthFigures, HealthReport } from '../../src/domain/handoff-health';
import { blockKitErrors } from '../../src/sandbox/slack/block-kit-check';
import { HAND_PLACED_SLACK_LINES } from '../support/health-week';

const figures = (mqls: number): HealthFigures => ({
  mqls,
  speedToContact: { medianMs: 600_000, touched: 9 },
  slaCompliance: { pct: 70, count: 7, of: 10 },
  acceptance: { pct: 60, count: 6, of: 10 },
  rejection: { pct: 30, count: 3, of: 10 },
  drop: { pct: 20, count: 2, of: 10 },
  recycleConversion: { pct: 50, count: 1, of: 2 },
});

function report(over: Partial<HealthReport> = {}): HealthReport {
  return {
    week: '2026-W48',
    start: '2026-11-23T05:00:00.000Z',
    end: '2026-11-30T05:00:00.000Z',
    timeZone: 'America/New_York',
    generatedAt: '2026-11-30T13:00:00.000Z',
    overall: figures(10),
    metrics: [
      line('speed_to_contact', 'Speed to contact (median)', 'min', 10, 10, 'below', false, 20),
      line('sla_compliance', 'SLA compliance', '%', 70, 95, 'above', false, 100),
      line('acceptance', 'Acceptance rate MQL → SQL', '%', 60, 60, 'above', false, 100),
      line('drop', 'Drop rate', '%', 20, 2, 'below', false, 0),
      line('recycle_conversion', 'Recycle conversion', '%', 50, 10, 'above', true, null),
    ],
    flags: [],
    byTeam: {},
    byRep: {},
    byLeadType: {},
    bySource: {},
    topRejectionReasons: [
      { reason: 'no_budget_signal', count: 1 },
      { reason: 'timing_not_right', count: 1 },
      { reason: 'wrong_title', count: 1 },
    ],
    slaMissesByRep: [
      { repId: 'rep-ben', count: 2 },
      { repId: 'rep-ana', count: 1 },
      { repId: 'rep-dev', count: 1 },
    ],
    dropped: [
      { workflowId: 'mql-hubspot-9007', rep: 'rep-ben', team: 'sdr-inbound' },
      { workflowId: 'mql-hubspot-9008', rep: 'rep-ben', team: 'sdr-inbound' },
    ],
    volumeByWeek: [
      { week: '2026-W45', mqls: 0 },
      { week: '2026-W46', mqls: 0 },
      { week: '2026-W47', mqls: 1 },
      { week: '2026-W48', mqls: 10 },
    ],
    ...over,
  };
}

function line(
  key: HealthReport['metrics'][number]['key'],
  label: string,
  unit: 'min' | '%',
  value: number | null,
  target: number,
  direction: 'below' | 'above',
  met: boolean | null,
  previous: number | null,
): HealthReport['metrics'][number] {
  return {
    key,
    label,
    unit,
    value,
    target,
    direction,
    met,
    previous,
    delta: value === null || previous === null ? null : value - previous,
  };
}

const labels: DigestLabels = {
  reps: { 'rep-ana': 'Ana Ruiz', 'rep-ben': 'Ben Carter', 'rep-dev': 'Dev Patel' },
  reasons: { wrong_title: 'Wrong title / persona', no_budget_signal: 'No budget signal' },
  dropAfter: '48h',
};

function section(blocks: KnownBlock[], id: string): string {
  const b = blocks.find((x) => 'block_id' in x && x.block_id === id) as { text?: { text: string } } | undefined;
  if (!b?.text) throw new Error(`no section ${id}`);
  return b.text.text;
}

describe('the digest in Slack', () => {
  const { text, blocks } = digestBlocks(digestView(report(), labels));

  test('the five metrics, each against its target with the change from last week', () => {
    expect(section(blocks, DIGEST_BLOCK_IDS.metrics).split('\n')).toEqual(HAND_PLACED_SLACK_LINES);
  });

  test('header, summary line, reasons with their labels, reps with SLA misses, dropped leads', () => {
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Handoff health · 2026-W48' } });
    expect(JSON.stringify(blocks[1])).toContain(
      'Mon 23 Nov – Sun 29 Nov 2026 (America/New_York) · 10 MQLs (last week 1) · 1 of 5 metrics on target',
    );
    // timing_not_right has no label here: its code stands in.
    expect(section(blocks, DIGEST_BLOCK_IDS.reasons)).toBe(
      '*Top rejection reasons*\n• No budget signal — 1\n• timing_not_right — 1\n• Wrong title / persona — 1',
    );
    expect(section(blocks, DIGEST_BLOCK_IDS.slaMisses)).toBe(
      '*Reps with SLA misses*\n• Ben Carter — 2\n• Ana Ruiz — 1\n• Dev Patel — 1',
    );
    expect(section(blocks, DIGEST_BLOCK_IDS.dropped)).toBe(
      '*Leads dropped* (no rep activity within 48h): 2\n• `mql-hubspot-9007` — Ben Carter\n• `mql-hubspot-9008` — Ben Carter',
    );
    expect(text).toBe(
      'Handoff health 2026-W48: 10 MQLs, 1 of 5 metrics on target — Speed to contact (median) 10 min, SLA compliance 70%, Acceptance rate MQL → SQL 60%, Drop rate 20%, Recycle conversion 50%',
    );
  });

  test('passes the Block Kit rules Slack enforces', () => {
    expect(blockKitErrors(blocks)).toEqual([]);
  });

  test('a week without data says so instead of showing zeros', () => {
    const empty = report({
      overall: {
        ...figures(0),
        speedToContact: { medianMs: null, touched: 0 },
        slaCompliance: { pct: null, count: 0, of: 0 },
      },
      metrics: [line('sla_compliance', 'SLA compliance', '%', null, 95, 'above', null, 100)],
      topRejectionReasons: [],
      slaMissesByRep: [],
      dropped: [],
    });
    const b = digestBlocks(digestView(empty, labels)).blocks;
    expect(section(b, DIGEST_BLOCK_IDS.metrics)).toBe(':white_circle: *SLA compliance:* no data · target above 95%');
    expect(section(b, DIGEST_BLOCK_IDS.reasons)).toBe('*Top rejection reasons*\n_no rejections_');
    expect(section(b, DIGEST_BLOCK_IDS.dropped)).toBe('*Leads dropped* (no rep activity within 48h): 0');
  });

  test('names are escaped (no channel pings, no fake links) and long lists end in "and N more"', () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ repId: `rep-${i}`, count: 13 - i }));
    const hostile = { ...labels, reps: { ...labels.reps, 'rep-0': '<!channel> & <https://evil.example|Ben>' } };
    const b = digestBlocks(digestView(report({ slaMissesByRep: many }), hostile)).blocks;
    const misses = section(b, DIGEST_BLOCK_IDS.slaMisses).split('\n');
    expect(misses[1]).toBe('• &lt;!channel&gt; &amp; &lt;https://evil.example|Ben&gt; — 13');
    expect(misses).toHaveLength(1 + 10 + 1);
    expect(misses.at(-1)).toBe('_and 3 more_');
  });

  test('a calibration flag gets its own warning line', () => {
    const flagged = report({ flags: ['scoring needs calibration: 40% of MQLs rejected (over 30%)'] });
    expect(section(digestBlocks(digestView(flagged, labels)).blocks, DIGEST_BLOCK_IDS.flags)).toBe(
      ':warning: scoring needs calibration: 40% of MQLs rejected (over 30%)',
    );
  });
});

describe('the digest by email', () => {
  const mail = digestEmail(digestView(report(), labels), { chart: true });

  test('subject: the week, how many metrics are on target, the volume', () => {
    expect(mail.subject).toBe('Handoff health 2026-W48: 1 of 5 metrics on target, 10 MQLs');
  });

  test('a table row per metric with the same figures as Slack, and the chart inline by Content-ID', () => {
    expect(mail.html).toContain(
      '<tr data-metric="sla_compliance"><td style="padding:6px 10px;border-bottom:1px solid #e4e7ec;text-align:left;vertical-align:top"><strong>SLA compliance</strong></td>',
    );
    for (const piece of [
      '70% <span style="color:#667085">(7 of 10)</span>',
      'above 95%',
      '▼ 30 pts vs last week (worse)',
      '10 min <span style="color:#667085">(9 touched)</span>',
      'below 10 min',
      '50% <span style="color:#667085">(1 of 2)</span>',
      '✔ on target',
      '✘ off target',
      `<img src="cid:${DIGEST_CHART_CID}"`,
      '<li>Ben Carter — 2</li>',
      '<li><code>mql-hubspot-9007</code> — Ben Carter</li>',
      'Acceptance rate MQL → SQL',
    ]) {
      expect(mail.html).toContain(piece);
    }
    expect(mail.html.match(/<tr data-metric=/g)).toHaveLength(5);
  });

  test('the plain-text part has the same lines', () => {
    expect(mail.text.split('\n')).toEqual(
      expect.arrayContaining([
        '✘ SLA compliance: 70% (7 of 10) — target above 95% — ▼ 30 pts vs last week (worse)',
        '✔ Recycle conversion: 50% (1 of 2) — target above 10% — no figure last week',
        '- Ben Carter — 2',
        'Leads dropped (no rep activity within 48h): 2',
        '- mql-hubspot-9007 — Ben Carter',
      ]),
    );
  });

  test('values are HTML-escaped', () => {
    const hostile = { ...labels, reps: { ...labels.reps, 'rep-ben': '<script>alert(1)</script>' } };
    const html = digestEmail(digestView(report(), hostile), { chart: false }).html;
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('cid:');
  });
});

describe('the chart (SVG)', () => {
  const svg = digestChartSvg(digestView(report(), labels));

  test('volume bars: the tallest (10) sets a scale of 10, i.e. 23.2 px per MQL on a 232 px plot', () => {
    // Plot from y=128 to the baseline at 380, 20 px headroom: (380 − 128 − 20) / 10 = 23.2 px per MQL.
    expect(svg).toMatch(/<rect x="[\d.]+" y="148" width="[\d.]+" height="232" fill="#1d4ed8"\/>/); // W48, this week
    expect(svg).toMatch(/<rect x="[\d.]+" y="356.8" width="[\d.]+" height="23.2" fill="#93c5fd"\/>/); // W47: 1
    expect(svg).toContain('>W48</text>');
  });

  test('metric bars on a 396 px track: SLA 70% red to 277.2 px, its target tick at 95% (x = 440 + 376.2)', () => {
    // Row 2 (SLA) starts at y = 116 + 58 = 174; its bar at y + 22 = 196.
    expect(svg).toContain('<rect x="440" y="196" width="277.2" height="16" fill="#dc2626" rx="3"/>');
    expect(svg).toContain('<line x1="816.2" y1="192" x2="816.2" y2="216" stroke="#101828" stroke-width="2"/>');
    // Recycle conversion 50%, on target: green to 198 px (row 5: y = 116 + 4 × 58 = 348, bar at 370).
    expect(svg).toContain('<rect x="440" y="370" width="198" height="16" fill="#16a34a" rx="3"/>');
    // Speed to contact: 10 min on a scale of niceCeil(max(2 × 10, 10, 20)) = 20 min → half the track.
    expect(svg).toContain('<rect x="440" y="138" width="198" height="16" fill="#dc2626" rx="3"/>');
    // Last week's SLA (100%) as a dot at the end of the track.
    expect(svg).toContain('<circle cx="836" cy="204" r="4"');
  });

  test('scale ceilings are 1, 2 or 5 × 10^k', () => {
    expect([0, 1, 7, 10, 11, 20, 21, 480].map(niceCeil)).toEqual([1, 1, 10, 10, 20, 20, 50, 500]);
  });
});

describe('formats', () => {
  test('numbers: whole without decimals, else one; a true minus sign', () => {
    expect([70, 66.666, 0.04, -2, 5.95].map(num)).toEqual(['70', '66.7', '0', '−2', '6']);
  });
  test('one MQL, two MQLs', () => {
    expect([0, 1, 2].map(mqlCount)).toEqual(['0 MQLs', '1 MQL', '2 MQLs']);
  });
  test('a week across New Year names both years', () => {
    expect(weekRange('2026-12-28T05:00:00Z', '2027-01-04T05:00:00Z', 'America/New_York')).toBe(
      'Mon 28 Dec 2026 – Sun 3 Jan 2027',
    );
  });
});

describe('the chart (PNG, needs @resvg/resvg-wasm and dejavu-fonts-ttf)', () => {
  test('a PNG 1440 × 675 px, the same bytes every time', async () => {
    const view = digestView(report(), labels);
    const [a, b] = await Promise.all([digestChartPng(view), digestChartPng(view)]);
    expect(a.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(a.readUInt32BE(16)).toBe(1440); // IHDR width: 960 × 1.5
    expect(a.readUInt32BE(20)).toBe(675); // IHDR height: 450 × 1.5
    expect(a.length).toBeGreaterThan(20_000); // text and bars, not a blank canvas
    expect(a.equals(b)).toBe(true);
  });
});
