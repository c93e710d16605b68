/**
 * The weekly digest as a Slack message: a header, the five metrics against their targets with the change from
 * last week, the flags, the top rejection reasons, the reps with SLA misses and the dropped leads. Every value
 * from data is escaped and cut to Block Kit's limits; the chart follows as a file of its own.
 */
import type { KnownBlock, SectionBlock } from '@slack/web-api';
import type { SlackMessageContent } from '../brief-render/slack-blocks';
import { fit, mrkdwn, plain, SLACK_LIMITS, slackDate } from '../brief-render/slack-text';
import { mqlCount, type CountView, type DigestView, type MetricStatus } from './digest-view';

const STATUS_EMOJI: Record<MetricStatus, string> = {
  met: ':large_green_circle:',
  missed: ':red_circle:',
  no_data: ':white_circle:',
};

/** At most this many lines per list (reasons, reps, dropped leads); the rest as "and N more". */
export const LIST_MAX = 10;

export const DIGEST_BLOCK_IDS = {
  metrics: 'digest_metrics',
  flags: 'digest_flags',
  reasons: 'digest_rejection_reasons',
  slaMisses: 'digest_sla_misses',
  dropped: 'digest_dropped',
} as const;

function listLines<T>(items: T[], line: (item: T) => string): string[] {
  const shown = items.slice(0, LIST_MAX).map(line);
  return items.length > LIST_MAX ? [...shown, `_and ${items.length - LIST_MAX} more_`] : shown;
}

function countList(title: string, items: CountView[], none: string): string {
  const lines = items.length ? listLines(items, (i) => `• ${mrkdwn(i.label, 200)} — ${i.count}`) : [`_${none}_`];
  return [`*${title}*`, ...lines].join('\n');
}

function section(blockId: string, text: string): SectionBlock {
  return { type: 'section', block_id: blockId, text: { type: 'mrkdwn', text: fit(text, SLACK_LIMITS.sectionText) } };
}

export function metricLine(m: DigestView['metrics'][number]): string {
  const value = [m.value, m.basis].filter(Boolean).join(' ');
  const change = m.change ? ` · ${m.change}` : '';
  return `${STATUS_EMOJI[m.status]} *${m.label}:* ${value} · target ${m.target}${change}`;
}

export function digestBlocks(view: DigestView): SlackMessageContent {
  const lastWeek = view.mqlsLastWeek === null ? '' : ` (last week ${view.mqlsLastWeek})`;
  const generatedAt = Math.floor(Date.parse(view.generatedAt) / 1000);
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: plain(`Handoff health · ${view.week}`, SLACK_LIMITS.headerText) },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: mrkdwn(
            `${view.range} (${view.timeZone}) · ${mqlCount(view.mqls)}${lastWeek} · ${view.onTarget} of ${view.metrics.length} metrics on target`,
            SLACK_LIMITS.fieldText,
          ),
        },
      ],
    },
    section(DIGEST_BLOCK_IDS.metrics, view.metrics.map(metricLine).join('\n')),
  ];
  if (view.flags.length) {
    blocks.push(section(DIGEST_BLOCK_IDS.flags, view.flags.map((f) => `:warning: ${mrkdwn(f, 500)}`).join('\n')));
  }
  blocks.push(
    { type: 'divider' },
    section(DIGEST_BLOCK_IDS.reasons, countList('Top rejection reasons', view.topRejectionReasons, 'no rejections')),
    section(DIGEST_BLOCK_IDS.slaMisses, countList('Reps with SLA misses', view.slaMissesByRep, 'no SLA misses')),
    section(
      DIGEST_BLOCK_IDS.dropped,
      [
        `*Leads dropped* (no rep activity within ${mrkdwn(view.dropAfter, 20)}): ${view.dropped.length}`,
        ...listLines(
          view.dropped,
          (d) => `• \`${mrkdwn(d.workflowId, 200)}\`${d.rep ? ` — ${mrkdwn(d.rep, 200)}` : ''}`,
        ),
      ].join('\n'),
    ),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Generated ${slackDate(generatedAt, `${view.generated} ${view.timeZone}`)} · weeks run Monday to Monday in ${mrkdwn(view.timeZone, 64)}`,
        },
      ],
    },
  );
  return { text: digestFallbackText(view), blocks };
}

/** The notification / fallback line: the headline figures only. */
export function digestFallbackText(view: DigestView): string {
  const figures = view.metrics.map((m) => `${m.label} ${m.value}`).join(', ');
  return plain(
    `Handoff health ${view.week}: ${mqlCount(view.mqls)}, ${view.onTarget} of ${view.metrics.length} metrics on target — ${figures}`,
    SLACK_LIMITS.fallbackText,
  );
}
