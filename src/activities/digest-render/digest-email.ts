/**
 * The weekly digest as an email: the same figures as the Slack message (src/activities/digest-render/
 * digest-blocks.ts) in an HTML table, the chart inline (a `cid:` image the sender attaches), and a plain-text
 * alternative. Every value is escaped; the subject is one line.
 */
import { esc, type EmailContent } from '../brief-render/email-render';
import { LIST_MAX } from './digest-blocks';
import { mqlCount, type CountView, type DigestView, type MetricStatus } from './digest-view';

/** The Content-ID the chart is attached under (the `<img src="cid:…">` of the HTML). */
export const DIGEST_CHART_CID = 'handoff-health-chart@mql-handoff';

const STATUS: Record<MetricStatus, { word: string; color: string; mark: string }> = {
  met: { word: 'on target', color: '#1e7b34', mark: '✔' },
  missed: { word: 'off target', color: '#b42318', mark: '✘' },
  no_data: { word: 'no data', color: '#667085', mark: '–' },
};

function capped<T>(items: T[]): { shown: T[]; more: number } {
  return { shown: items.slice(0, LIST_MAX), more: Math.max(0, items.length - LIST_MAX) };
}

function countListHtml(title: string, items: CountView[], none: string): string {
  const { shown, more } = capped(items);
  const body = items.length
    ? `<ul style="margin:4px 0 0;padding-left:20px">${shown.map((i) => `<li>${esc(i.label)} — ${i.count}</li>`).join('')}${more ? `<li><em>and ${more} more</em></li>` : ''}</ul>`
    : `<p style="margin:4px 0 0;color:#667085"><em>${esc(none)}</em></p>`;
  return `<h3 style="margin:20px 0 0;font-size:15px">${esc(title)}</h3>${body}`;
}

function countListText(title: string, items: CountView[], none: string): string[] {
  const { shown, more } = capped(items);
  return [
    '',
    `${title}:`,
    ...(items.length ? shown.map((i) => `- ${i.label} — ${i.count}`) : [`  ${none}`]),
    ...(more ? [`  and ${more} more`] : []),
  ];
}

export function digestEmail(view: DigestView, opts: { chart: boolean }): EmailContent {
  const lastWeek = view.mqlsLastWeek === null ? '' : ` (last week ${view.mqlsLastWeek})`;
  const summary = `${view.range} (${view.timeZone}) · ${mqlCount(view.mqls)}${lastWeek} · ${view.onTarget} of ${view.metrics.length} metrics on target`;
  const cell = 'padding:6px 10px;border-bottom:1px solid #e4e7ec;text-align:left;vertical-align:top';
  const rows = view.metrics
    .map((m) => {
      const s = STATUS[m.status];
      return (
        `<tr data-metric="${esc(m.key)}">` +
        `<td style="${cell}"><strong>${esc(m.label)}</strong></td>` +
        `<td style="${cell}">${esc(m.value)}${m.basis ? ` <span style="color:#667085">${esc(m.basis)}</span>` : ''}</td>` +
        `<td style="${cell}">${esc(m.target)}</td>` +
        `<td style="${cell}">${esc(m.change || '—')}</td>` +
        `<td style="${cell};color:${s.color};font-weight:bold">${s.mark} ${esc(s.word)}</td>` +
        `</tr>`
      );
    })
    .join('\n');
  const { shown: dropped, more: droppedMore } = capped(view.dropped);

  const html = [
    '<!doctype html>',
    '<html><body style="font-family:Helvetica,Arial,sans-serif;color:#101828;font-size:14px;line-height:1.45">',
    `<h2 style="margin:0 0 4px">Handoff health · ${esc(view.week)}</h2>`,
    `<p style="margin:0 0 12px;color:#475467">${esc(summary)}</p>`,
    `<table style="border-collapse:collapse;font-size:14px" cellspacing="0" cellpadding="0">`,
    `<tr><th style="${cell}">Metric</th><th style="${cell}">This week</th><th style="${cell}">Target</th><th style="${cell}">Change</th><th style="${cell}">Status</th></tr>`,
    rows,
    '</table>',
    ...view.flags.map(
      (f) => `<p style="margin:12px 0 0;padding:8px 10px;background:#fef0c7;border-radius:4px">⚠ ${esc(f)}</p>`,
    ),
    opts.chart
      ? `<p style="margin:16px 0 0"><img src="cid:${DIGEST_CHART_CID}" width="720" alt="${esc(chartAlt(view))}" style="max-width:100%;border:1px solid #e4e7ec"></p>`
      : '',
    countListHtml('Top rejection reasons', view.topRejectionReasons, 'no rejections'),
    countListHtml('Reps with SLA misses', view.slaMissesByRep, 'no SLA misses'),
    `<h3 style="margin:20px 0 0;font-size:15px">Leads dropped (no rep activity within ${esc(view.dropAfter)}): ${view.dropped.length}</h3>`,
    dropped.length
      ? `<ul style="margin:4px 0 0;padding-left:20px">${dropped.map((d) => `<li><code>${esc(d.workflowId)}</code>${d.rep ? ` — ${esc(d.rep)}` : ''}</li>`).join('')}${droppedMore ? `<li><em>and ${droppedMore} more</em></li>` : ''}</ul>`
      : '',
    `<p style="margin:24px 0 0;color:#667085;font-size:12px">Generated ${esc(view.generated)} (${esc(view.timeZone)}) by mql-handoff. Weeks run Monday to Monday in ${esc(view.timeZone)}.</p>`,
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');

  const text = [
    `Handoff health · ${view.week}`,
    summary,
    '',
    ...view.metrics.map(
      (m) =>
        `${STATUS[m.status].mark} ${m.label}: ${[m.value, m.basis].filter(Boolean).join(' ')} — target ${m.target}${m.change ? ` — ${m.change}` : ''}`,
    ),
    ...view.flags.map((f) => `! ${f}`),
    ...countListText('Top rejection reasons', view.topRejectionReasons, 'no rejections'),
    ...countListText('Reps with SLA misses', view.slaMissesByRep, 'no SLA misses'),
    '',
    `Leads dropped (no rep activity within ${view.dropAfter}): ${view.dropped.length}`,
    ...dropped.map((d) => `- ${d.workflowId}${d.rep ? ` — ${d.rep}` : ''}`),
    ...(droppedMore ? [`  and ${droppedMore} more`] : []),
    '',
    `Generated ${view.generated} (${view.timeZone}) by mql-handoff.`,
  ].join('\n');

  const subject = `Handoff health ${view.week}: ${view.onTarget} of ${view.metrics.length} metrics on target, ${mqlCount(view.mqls)}`;
  return { subject: subject.replace(/[\r\n]+/g, ' ').slice(0, 200), html, text };
}

/** The chart's alternative text: what it shows, in words. */
export function chartAlt(view: DigestView): string {
  const volume = view.volumeByWeek.map((v) => `${v.week} ${v.mqls}`).join(', ');
  const metrics = view.metrics.map((m) => `${m.label} ${m.value} (target ${m.target})`).join('; ');
  return `MQL volume by week: ${volume}. This week against target: ${metrics}.`;
}
