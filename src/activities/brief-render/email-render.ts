/**
 * The handoff brief and notices as email: HTML with every value escaped (names can contain <, > and &), and a
 * plain-text alternative with the same content. Subjects are single-line so nothing can inject a header.
 */
import type { HandoffBrief, Notice } from '../../domain/brief';
import { contactFacts, leadLabel, scoreFacts, type BriefFact } from './brief-facts';
import { checkedLinks, formatUtc, unixSeconds } from './brief-input';

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

const SUBJECT_MAX = 200;

export function briefEmail(brief: HandoffBrief): EmailContent {
  unixSeconds('slaDueAt', brief.slaDueAt);
  const links = checkedLinks(brief);
  const due = dueText(brief);
  const notes = brief.marketingNotes.map((n) => n.trim()).filter(Boolean);
  const sections: [string, string][] = [
    ['Why this lead', brief.whyThisLead],
    ['Reason for handoff', brief.reasonForHandoff],
    ['Routed to you because', brief.routedBecause],
  ];

  const html = page(
    [
      `<h2 style="margin:0 0 12px">${esc(brief.headline || leadLabel(brief))}</h2>`,
      factsTable([...contactFacts(brief), ...scoreFacts(brief)]),
      ...sections.map(
        ([h, body]) => `<h3 style="margin:16px 0 4px">${esc(h)}</h3><p style="margin:0">${paragraph(body)}</p>`,
      ),
      notes.length
        ? `<h3 style="margin:16px 0 4px">Marketing notes</h3><ul>${notes.map((n) => `<li>${paragraph(n)}</li>`).join('')}</ul>`
        : '',
      `<p style="margin:16px 0"><strong>First touch due:</strong> ${esc(due)}</p>`,
      linksHtml(links),
      `<p style="color:#666;font-size:12px">Accept, reject or log your outreach from the Slack message, or in the CRM.</p>`,
    ].join('\n'),
  );

  const text = [
    brief.headline || leadLabel(brief),
    '',
    ...[...contactFacts(brief), ...scoreFacts(brief)].map((f) => `${f.label}: ${f.value}`),
    ...sections.flatMap(([h, body]) => ['', `${h}:`, body.trim() || '—']),
    ...(notes.length ? ['', 'Marketing notes:', ...notes.map((n) => `- ${n}`)] : []),
    '',
    `First touch due: ${due}`,
    ...linksText(links),
    '',
    'Accept, reject or log your outreach from the Slack message, or in the CRM.',
  ].join('\n');

  return { subject: subject(`New MQL: ${brief.headline || leadLabel(brief)}`), html, text };
}

export function noticeEmail(notice: Notice): EmailContent {
  const { brief } = notice;
  unixSeconds('slaDueAt', brief.slaDueAt);
  const links = checkedLinks(brief);
  const facts: BriefFact[] = [
    { label: 'Lead', value: leadLabel(brief) },
    { label: 'Owner', value: brief.rep.name },
    { label: 'First touch due', value: dueText(brief) },
  ];
  const html = page(
    [
      `<h2 style="margin:0 0 12px">${esc(notice.title)}</h2>`,
      notice.text.trim() ? `<p>${paragraph(notice.text)}</p>` : '',
      factsTable(facts),
      linksHtml(links),
    ].join('\n'),
  );
  const text = [
    notice.title,
    '',
    ...(notice.text.trim() ? [notice.text.trim(), ''] : []),
    ...facts.map((f) => `${f.label}: ${f.value}`),
    ...linksText(links),
  ].join('\n');
  return { subject: subject(notice.title), html, text };
}

/** HTML-escapes text and attribute values. */
export function esc(raw: string): string {
  return raw
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function paragraph(raw: string): string {
  return esc(raw.trim() || '—').replace(/\r?\n/g, '<br>');
}

function dueText(brief: HandoffBrief): string {
  const utc = formatUtc(brief.slaDueAt);
  return brief.slaDueLocal ? `${brief.slaDueLocal} (${utc})` : utc;
}

function linksHtml(links: { label: string; url: string }[]): string {
  return links.length
    ? `<p>${links.map((l) => `<a href="${esc(l.url)}">${esc(l.label)}</a>`).join(' &middot; ')}</p>`
    : '';
}

function linksText(links: { label: string; url: string }[]): string[] {
  return links.length ? ['', ...links.map((l) => `${l.label}: ${l.url}`)] : [];
}

function factsTable(facts: BriefFact[]): string {
  const rows = facts.map((f) => {
    const value = f.href ? `<a href="${esc(f.href)}">${esc(f.value)}</a>` : esc(f.value);
    return `<tr><td style="padding:2px 12px 2px 0;color:#555">${esc(f.label)}</td><td style="padding:2px 0">${value}</td></tr>`;
  });
  return `<table role="presentation" style="border-collapse:collapse">${rows.join('')}</table>`;
}

function page(body: string): string {
  return `<!doctype html>\n<html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">\n${body}\n</body></html>`;
}

/** One line, no control characters, bounded. */
function subject(raw: string): string {
  const oneLine = raw
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return oneLine.length > SUBJECT_MAX ? `${oneLine.slice(0, SUBJECT_MAX - 1)}…` : oneLine;
}
