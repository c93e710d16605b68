/**
 * The digest's chart as SVG, the picture that reads faster than the numbers: on the left the MQL volume of the
 * last weeks (the reported week dark), on the right each of the five metrics as a bar against its target (green
 * on target, red off it, the target a black tick, last week a grey dot). Pure and deterministic: the same report
 * always gives the same SVG, so the same PNG (digest-png.ts) goes to Slack and to the email.
 */
import { mqlCount, type DigestView, type MetricView } from './digest-view';

export const CHART = { width: 960, height: 450, font: 'DejaVu Sans' } as const;

const COLORS = {
  text: '#101828',
  muted: '#475467',
  grid: '#e4e7ec',
  track: '#f2f4f7',
  volume: '#93c5fd',
  volumeThisWeek: '#1d4ed8',
  met: '#16a34a',
  missed: '#dc2626',
  target: '#101828',
  previous: '#98a2b3',
} as const;

function esc(raw: string): string {
  return raw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Two decimals at most: the SVG stays short and stable. */
const r2 = (n: number): string => String(Math.round(n * 100) / 100);

function text(
  x: number,
  y: number,
  content: string,
  o: { size?: number; weight?: 'bold'; fill?: string; anchor?: 'start' | 'middle' | 'end' } = {},
): string {
  return (
    `<text x="${r2(x)}" y="${r2(y)}" font-size="${o.size ?? 13}"` +
    `${o.weight ? ` font-weight="${o.weight}"` : ''} fill="${o.fill ?? COLORS.text}"` +
    `${o.anchor && o.anchor !== 'start' ? ` text-anchor="${o.anchor}"` : ''}>${esc(content)}</text>`
  );
}

function rect(x: number, y: number, w: number, h: number, fill: string, extra = ''): string {
  return `<rect x="${r2(x)}" y="${r2(y)}" width="${r2(Math.max(0, w))}" height="${r2(Math.max(0, h))}" fill="${fill}"${extra}/>`;
}

/** The smallest of 1, 2, 5 × 10^k at or above `n` (at least 1): the top of a scale. */
export function niceCeil(n: number): number {
  if (!(n > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

function volumePanel(view: DigestView, x0: number, width: number): string[] {
  const out = [text(x0, 100, 'MQL volume by week', { size: 15, weight: 'bold' })];
  const top = 128;
  const bottom = 380;
  const weeks = view.volumeByWeek;
  const max = niceCeil(Math.max(1, ...weeks.map((w) => w.mqls)));
  const scale = (bottom - top - 20) / max;
  // Gridlines at 0, the middle (when it is a whole number of MQLs) and the top.
  for (const tick of max % 2 === 0 ? [0, max / 2, max] : [0, max]) {
    const y = bottom - tick * scale;
    out.push(`<line x1="${x0 + 28}" y1="${r2(y)}" x2="${x0 + width}" y2="${r2(y)}" stroke="${COLORS.grid}"/>`);
    out.push(text(x0 + 22, y + 4, String(tick), { size: 11, fill: COLORS.muted, anchor: 'end' }));
  }
  const slot = (width - 36) / Math.max(1, weeks.length);
  weeks.forEach((w, i) => {
    const cx = x0 + 36 + slot * (i + 0.5);
    const bw = Math.min(56, slot * 0.6);
    const h = w.mqls * scale;
    const current = w.week === view.week;
    out.push(rect(cx - bw / 2, bottom - h, bw, h, current ? COLORS.volumeThisWeek : COLORS.volume));
    out.push(
      text(cx, bottom - h - 6, String(w.mqls), { size: 13, weight: current ? 'bold' : undefined, anchor: 'middle' }),
    );
    out.push(
      text(cx, bottom + 20, w.week.slice(5), {
        size: 12,
        weight: current ? 'bold' : undefined,
        fill: current ? COLORS.text : COLORS.muted,
        anchor: 'middle',
      }),
    );
  });
  return out;
}

/** Where a metric's value, target and last week sit on its bar: % on 0–100, minutes up to a round ceiling. */
export function metricScale(m: MetricView): number {
  if (m.raw.unit === '%') return 100;
  return niceCeil(Math.max(2 * m.raw.target, m.raw.value ?? 0, m.raw.previous ?? 0));
}

function metricRow(m: MetricView, x0: number, y: number, trackWidth: number): string[] {
  const max = metricScale(m);
  const at = (v: number) => x0 + (Math.min(Math.max(v, 0), max) / max) * trackWidth;
  const out = [
    text(x0, y + 14, m.label, { size: 13, weight: 'bold' }),
    rect(x0, y + 22, trackWidth, 16, COLORS.track, ' rx="3"'),
  ];
  const color = m.status === 'met' ? COLORS.met : m.status === 'missed' ? COLORS.missed : COLORS.muted;
  if (m.raw.value !== null) {
    out.push(rect(x0, y + 22, at(m.raw.value) - x0, 16, color, ' rx="3"'));
  }
  if (m.raw.previous !== null) {
    out.push(
      `<circle cx="${r2(at(m.raw.previous))}" cy="${y + 30}" r="4" fill="#ffffff" stroke="${COLORS.previous}" stroke-width="2"/>`,
    );
  }
  const tx = at(m.raw.target);
  out.push(
    `<line x1="${r2(tx)}" y1="${y + 18}" x2="${r2(tx)}" y2="${y + 42}" stroke="${COLORS.target}" stroke-width="2"/>`,
  );
  // The target's label sits under its tick, kept inside the track near either end.
  const anchor = tx - x0 < 70 ? 'start' : x0 + trackWidth - tx < 70 ? 'end' : 'middle';
  const lx = anchor === 'start' ? Math.max(x0, tx - 6) : anchor === 'end' ? Math.min(x0 + trackWidth, tx + 6) : tx;
  out.push(text(lx, y + 54, `target ${m.target}`, { size: 11, fill: COLORS.muted, anchor }));
  out.push(text(x0 + trackWidth + 12, y + 35, m.value, { size: 14, weight: 'bold', fill: color }));
  return out;
}

function metricsPanel(view: DigestView, x0: number, width: number): string[] {
  const out = [text(x0, 100, 'This week against target', { size: 15, weight: 'bold' })];
  const trackWidth = width - 100;
  view.metrics.forEach((m, i) => out.push(...metricRow(m, x0, 116 + i * 58, trackWidth)));
  return out;
}

function legend(x: number, y: number): string[] {
  return [
    rect(x, y - 10, 12, 12, COLORS.met),
    text(x + 18, y, 'on target', { size: 11, fill: COLORS.muted }),
    rect(x + 92, y - 10, 12, 12, COLORS.missed),
    text(x + 110, y, 'off target', { size: 11, fill: COLORS.muted }),
    `<line x1="${x + 192}" y1="${y - 11}" x2="${x + 192}" y2="${y + 2}" stroke="${COLORS.target}" stroke-width="2"/>`,
    text(x + 200, y, 'target', { size: 11, fill: COLORS.muted }),
    `<circle cx="${x + 254}" cy="${y - 4}" r="4" fill="#ffffff" stroke="${COLORS.previous}" stroke-width="2"/>`,
    text(x + 264, y, 'last week', { size: 11, fill: COLORS.muted }),
  ];
}

export function digestChartSvg(view: DigestView): string {
  const { width, height } = CHART;
  const body = [
    rect(0, 0, width, height, '#ffffff'),
    text(24, 38, `Handoff health · ${view.week}`, { size: 20, weight: 'bold' }),
    text(
      24,
      62,
      `${view.range} (${view.timeZone}) · ${mqlCount(view.mqls)} · ${view.onTarget} of ${view.metrics.length} metrics on target`,
      {
        size: 13,
        fill: COLORS.muted,
      },
    ),
    ...volumePanel(view, 24, 360),
    ...metricsPanel(view, 440, 496),
    ...legend(440, height - 14),
  ];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${CHART.font}">\n${body.join('\n')}\n</svg>\n`
  );
}
