/**
 * The handoff brief and notices as Slack Block Kit messages. The brief DM carries the rep's three actions
 * (Accept, Reject with a reason, "I've reached out") while the lead is open; once it is accepted, rejected or
 * reassigned the same message is re-rendered without buttons and says what happened, who did it and when.
 */
import type { ActionsBlock, Button, KnownBlock, PlainTextOption, SectionBlock, StaticSelect } from '@slack/web-api';
import type { HandoffBrief, Notice } from '../../domain/brief';
import type { HandoffMessageState } from '../ports';
import { encodeActionValue, SLACK_ACTIONS } from '../slack/interaction-contract';
import { contactFacts, leadLabel, scoreFacts, type BriefFact } from './brief-facts';
import { checkedLinks, formatUtc, InvalidBriefError, unixSeconds } from './brief-input';
import { mrkdwn, mrkdwnLink, personRef, plain, SLACK_LIMITS, slackDate } from './slack-text';

export interface SlackMessageContent {
  /** Notification and accessibility fallback: the lead's name and company, nothing more personal. */
  text: string;
  blocks: KnownBlock[];
}

export const BRIEF_BLOCK_IDS = {
  actions: 'handoff_actions',
  status: 'handoff_status',
} as const;

export function briefBlocks(brief: HandoffBrief, state: HandoffMessageState): SlackMessageContent {
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: plain(brief.headline || leadLabel(brief), SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    fieldsSection(contactFacts(brief)),
    fieldsSection(scoreFacts(brief)),
    textSection('Why this lead', brief.whyThisLead),
    textSection('Reason for handoff', brief.reasonForHandoff),
    textSection('Routed to you because', brief.routedBecause),
  ];
  const notes = notesSection(brief.marketingNotes);
  if (notes) blocks.push(notes);
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*First touch due:* ${dueDate(brief)}` } });
  const links = linksSection(brief);
  if (links) blocks.push(links);

  const status = statusLine(state);
  if (status)
    blocks.push({ type: 'context', block_id: BRIEF_BLOCK_IDS.status, elements: [{ type: 'mrkdwn', text: status }] });
  if (state.kind === 'open' || state.kind === 'reached_out') {
    blocks.push({ type: 'divider' }, actionsBlock(brief));
  }
  return { text: briefFallback(brief, state), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

export function noticeBlocks(notice: Notice): SlackMessageContent {
  const { brief } = notice;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(notice.title, SLACK_LIMITS.sectionText - 2)}*` } },
  ];
  if (notice.text.trim()) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(notice.text, SLACK_LIMITS.sectionText) } });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `*Lead:* ${mrkdwn(leadLabel(brief), 500)} · *Owner:* ${mrkdwn(brief.rep.name, 200)} · *First touch due:* ${dueDate(brief)}`,
      },
    ],
  });
  const links = linksSection(brief);
  if (links) blocks.push(links);
  return { text: mrkdwn(notice.title, SLACK_LIMITS.fallbackText), blocks };
}

function briefFallback(brief: HandoffBrief, state: HandoffMessageState): string {
  const who = leadLabel(brief);
  const line = (() => {
    switch (state.kind) {
      case 'open':
        return `New MQL for you: ${who}. First touch due ${brief.slaDueLocal || formatUtc(brief.slaDueAt)}`;
      case 'reached_out':
        return `MQL ${who}: outreach logged, waiting for accept or reject`;
      case 'accepted':
        return `MQL accepted: ${who}`;
      case 'rejected':
        return `MQL rejected: ${who}`;
      case 'reassigned':
        return `MQL reassigned to ${state.toName}: ${who}`;
    }
  })();
  return mrkdwn(line, SLACK_LIMITS.fallbackText);
}

function statusLine(state: HandoffMessageState): string | null {
  switch (state.kind) {
    case 'open':
      return null;
    case 'reached_out':
      return `:telephone_receiver: Outreach logged ${when('state.at', state.at)}`;
    case 'accepted':
      return `:white_check_mark: Accepted by ${personRef(state.by)} ${when('state.at', state.at)}`;
    case 'rejected':
      return `:x: Rejected by ${personRef(state.by)}: ${mrkdwn(state.reasonLabel, 500)} · ${when('state.at', state.at)}`;
    case 'reassigned':
      return `:arrow_right_hook: Reassigned to ${mrkdwn(state.toName, 200)}: ${mrkdwn(state.reason, 1000)} · ${when('state.at', state.at)}`;
  }
}

/** The first-touch deadline as a date token, with the rep's local wording as its fallback. */
function dueDate(brief: HandoffBrief): string {
  return slackDate(unixSeconds('slaDueAt', brief.slaDueAt), plain(brief.slaDueLocal || formatUtc(brief.slaDueAt), 100));
}

function when(field: string, iso: string): string {
  return slackDate(unixSeconds(field, iso), formatUtc(iso));
}

function fieldsSection(facts: BriefFact[]): SectionBlock {
  return {
    type: 'section',
    fields: facts.slice(0, SLACK_LIMITS.sectionFields).map((f) => ({
      type: 'mrkdwn' as const,
      text: `*${f.label}*\n${mrkdwn(f.value, SLACK_LIMITS.fieldText - f.label.length - 3)}`,
    })),
  };
}

function textSection(label: string, body: string): SectionBlock {
  const text = body.trim() ? body : '—';
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: `*${label}*\n${mrkdwn(text, SLACK_LIMITS.sectionText - label.length - 3)}` },
  };
}

function notesSection(notes: string[]): SectionBlock | null {
  const lines: string[] = [];
  let used = '*Marketing notes*'.length;
  const cleaned = notes.map((n) => n.trim()).filter(Boolean);
  for (const [i, note] of cleaned.entries()) {
    const line = `• ${mrkdwn(note.replace(/\s+/g, ' '), 500)}`;
    const more = `_…and ${cleaned.length - i} more in the CRM_`;
    if (used + line.length + 1 + more.length + 1 > SLACK_LIMITS.sectionText) {
      lines.push(more);
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return lines.length
    ? { type: 'section', text: { type: 'mrkdwn', text: ['*Marketing notes*', ...lines].join('\n') } }
    : null;
}

/** Links as mrkdwn (no interaction payloads for the bridge to ignore); as many as fit. */
function linksSection(brief: HandoffBrief): SectionBlock | null {
  let text = '';
  for (const link of checkedLinks(brief)) {
    const piece = mrkdwnLink(link.url, link.label);
    const next = text ? `${text}  ·  ${piece}` : `:link: ${piece}`;
    if (next.length > SLACK_LIMITS.sectionText) break;
    text = next;
  }
  return text ? { type: 'section', text: { type: 'mrkdwn', text } } : null;
}

function actionsBlock(brief: HandoffBrief): ActionsBlock {
  if (brief.rejectReasons.length === 0) {
    throw new InvalidBriefError('rejectReasons', [], 'at least one rejection reason for the Reject menu');
  }
  const wf = brief.workflowId;
  if (!wf) throw new InvalidBriefError('workflowId', wf, 'the handoff workflow id the buttons act on');
  const accept: Button = {
    type: 'button',
    action_id: SLACK_ACTIONS.accept,
    text: { type: 'plain_text', text: 'Accept', emoji: true },
    style: 'primary',
    value: buttonValue(wf),
  };
  const options: PlainTextOption[] = brief.rejectReasons.slice(0, SLACK_LIMITS.selectOptions).map((r, i) => {
    const value = encodeActionValue({ wf, reason: r.value });
    if (value.length > SLACK_LIMITS.optionValue) {
      throw new InvalidBriefError(
        `rejectReasons.${i}.value`,
        r.value,
        `a reason whose option value (workflow id + reason) fits Slack's ${SLACK_LIMITS.optionValue} characters; got ${value.length}`,
      );
    }
    return { text: { type: 'plain_text', text: plain(r.label, SLACK_LIMITS.optionText) }, value };
  });
  const reject: StaticSelect = {
    type: 'static_select',
    action_id: SLACK_ACTIONS.reject,
    placeholder: { type: 'plain_text', text: 'Reject with a reason…' },
    options,
    confirm: {
      title: { type: 'plain_text', text: 'Reject this lead?' },
      text: { type: 'mrkdwn', text: 'It goes back to marketing for re-nurture with the reason you picked.' },
      confirm: { type: 'plain_text', text: 'Reject' },
      deny: { type: 'plain_text', text: 'Keep it' },
      style: 'danger',
    },
  };
  const reachedOut: Button = {
    type: 'button',
    action_id: SLACK_ACTIONS.reachedOut,
    text: { type: 'plain_text', text: "I've reached out", emoji: true },
    value: buttonValue(wf),
  };
  return { type: 'actions', block_id: BRIEF_BLOCK_IDS.actions, elements: [accept, reject, reachedOut] };
}

function buttonValue(wf: string): string {
  const value = encodeActionValue({ wf });
  if (value.length > SLACK_LIMITS.buttonValue) {
    throw new InvalidBriefError(
      'workflowId',
      wf,
      `a workflow id short enough for a button value (${SLACK_LIMITS.buttonValue})`,
    );
  }
  return value;
}
