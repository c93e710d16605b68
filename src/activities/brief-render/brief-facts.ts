/**
 * What a brief says, as label/value pairs, in the same words on every channel. Values are raw text: each
 * renderer escapes them for its own format (Slack mrkdwn, HTML).
 */
import { leadTypeLabel, type HandoffBrief } from '../../domain/brief';
import type { Priority } from '../../domain/lead';

export interface BriefFact {
  label: string;
  value: string;
  /** mailto:/tel: target for contact details. */
  href?: string;
}

const PRIORITY_LABELS: Record<Priority, string> = { high: 'High', normal: 'Normal' };

const UNKNOWN = '—';

function formatEmployees(employees: number | null): string {
  if (employees === null || !Number.isFinite(employees)) return UNKNOWN;
  return `${employees.toLocaleString('en-US')} employees`;
}

function formatScore(score: number | null): string {
  return score === null || !Number.isFinite(score) ? UNKNOWN : `${Math.round(score)} / 100`;
}

/** "Dana Ito (Globex)", or just the name when the company is unknown. The only PII notification fallbacks carry. */
export function leadLabel(brief: HandoffBrief): string {
  return brief.company.name ? `${brief.contact.name} (${brief.company.name})` : brief.contact.name;
}

/** Who and where: contact, title, company, size, industry, country, and how to reach the contact. */
export function contactFacts(brief: HandoffBrief): BriefFact[] {
  const { contact, company } = brief;
  const facts: BriefFact[] = [
    { label: 'Contact', value: contact.name },
    { label: 'Title', value: contact.jobTitle ?? UNKNOWN },
    { label: 'Company', value: company.name ? withDomain(company.name, company.domain) : UNKNOWN },
    { label: 'Size', value: formatEmployees(company.employees) },
    { label: 'Industry', value: company.industry ?? UNKNOWN },
    { label: 'Country', value: company.country ?? contact.country ?? UNKNOWN },
  ];
  if (contact.email) facts.push({ label: 'Email', value: contact.email, href: `mailto:${contact.email}` });
  if (contact.phone)
    facts.push({ label: 'Phone', value: contact.phone, href: `tel:${contact.phone.replace(/\s+/g, '')}` });
  return facts;
}

/** How good a lead it is: the two scores, the lead type (which sets the SLA) and the priority. */
export function scoreFacts(brief: HandoffBrief): BriefFact[] {
  return [
    { label: 'Fit score', value: formatScore(brief.scores.fit) },
    { label: 'Engagement score', value: formatScore(brief.scores.engagement) },
    { label: 'Lead type', value: leadTypeLabel(brief.leadType) },
    { label: 'Priority', value: PRIORITY_LABELS[brief.priority] ?? brief.priority },
  ];
}

function withDomain(name: string, domain: string | null): string {
  return domain ? `${name} (${domain})` : name;
}
