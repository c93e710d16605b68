import type { KnownBlock } from '@slack/web-api';
import {
  briefBlocks,
  briefEmail,
  noticeBlocks,
  noticeEmail,
  InvalidBriefError,
} from '../../src/activities/brief-render';
import type { HandoffMessageState } from '../../src/activities/ports';
import { decodeActionValue, SLACK_ACTIONS } from '../../src/activities/slack/interaction-contract';
import { createDeterministicSummariser, deterministicSummariser } from '../../src/activities/summariser';
import type { EngagementEvent } from '../../src/domain/lead';
import { blockKitErrors } from '../../src/sandbox/slack/block-kit-check';
import { hostileBrief, REJECT_REASONS, sampleBrief, sampleNotice } from './brief-fixture';

type AnyBlock = Record<string, unknown>;

/** Every mrkdwn string in the blocks (where Slack parses <…> markup). */
function mrkdwnTexts(blocks: KnownBlock[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as AnyBlock;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}

function actionsOf(blocks: KnownBlock[]): AnyBlock[] {
  const block = blocks.find((b) => b.type === 'actions') as AnyBlock | undefined;
  return (block?.elements as AnyBlock[]) ?? [];
}

const UNIX_DUE = Date.parse('2026-11-24T17:00:00.000Z') / 1000;

describe('briefBlocks: the handoff DM', () => {
  it('shows the brief with Accept, Reject (picklist) and "I\'ve reached out" while open', () => {
    const { text, blocks } = briefBlocks(sampleBrief(), { kind: 'open' });

    expect(blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: 'Demo request: Dana Ito, VP Operations at Globex (1,200 employees)',
        emoji: true,
      },
    });
    const all = mrkdwnTexts(blocks).join('\n');
    for (const expected of [
      '*Company*\nGlobex (globex.example)',
      '*Size*\n1,200 employees',
      '*Title*\nVP Operations',
      '*Industry*\nManufacturing',
      '*Country*\nUS',
      '*Fit score*\n82 / 100',
      '*Engagement score*\n74 / 100',
      '*Lead type*\nDemo request',
      '*Priority*\nHigh',
      'visited the pricing page 3 times this week',
      '*Reason for handoff*\nHigh-intent action: demo request',
      '*Routed to you because*\nNamed account globex.example belongs to Hugo Laurent',
      '• Met the team at the Chicago roadshow',
      `<!date^${UNIX_DUE}^{date_short_pretty} at {time}|Tue 24 Nov, 12:00 EST>`,
      '<https://app.hubspot.com/contacts/4410001/record/0-1/1001|Open in HubSpot>',
    ]) {
      expect(all).toContain(expected);
    }

    const [accept, reject, reachedOut] = actionsOf(blocks);
    expect(accept).toMatchObject({ type: 'button', action_id: SLACK_ACTIONS.accept, style: 'primary' });
    expect(decodeActionValue(accept!.value as string)).toEqual({ wf: 'mql-hubspot-1001' });
    expect(reject).toMatchObject({ type: 'static_select', action_id: SLACK_ACTIONS.reject });
    const options = reject!.options as { text: { text: string }; value: string }[];
    expect(options.map((o) => o.text.text)).toEqual(REJECT_REASONS.map((r) => r.label));
    expect(options.map((o) => decodeActionValue(o.value))).toEqual(
      REJECT_REASONS.map((r) => ({ wf: 'mql-hubspot-1001', reason: r.value })),
    );
    expect(reachedOut).toMatchObject({ type: 'button', action_id: SLACK_ACTIONS.reachedOut });
    expect(decodeActionValue(reachedOut!.value as string)).toEqual({ wf: 'mql-hubspot-1001' });

    expect(text).toBe('New MQL for you: Dana Ito (Globex). First touch due Tue 24 Nov, 12:00 EST');
    expect(blockKitErrors(blocks)).toEqual([]);
  });

  it('keeps contact details out of the notification fallback', () => {
    for (const state of [
      { kind: 'open' },
      { kind: 'accepted', at: '2026-11-24T15:00:00Z', by: 'Hugo Laurent' },
    ] as HandoffMessageState[]) {
      const { text } = briefBlocks(sampleBrief(), state);
      expect(text).toContain('Dana Ito (Globex)');
      expect(text).not.toContain('dana.ito@globex.example');
      expect(text).not.toContain('555');
    }
  });

  const AT = '2026-11-24T15:30:00.000Z';
  const AT_UNIX = Date.parse(AT) / 1000;
  it.each<[string, HandoffMessageState, boolean, string[]]>([
    ['reached_out', { kind: 'reached_out', at: AT }, true, ['Outreach logged']],
    ['accepted', { kind: 'accepted', at: AT, by: 'Hugo Laurent' }, false, ['Accepted by Hugo Laurent']],
    ['accepted by a Slack user', { kind: 'accepted', at: AT, by: 'U0REPHUG1' }, false, ['Accepted by <@U0REPHUG1>']],
    [
      'rejected',
      { kind: 'rejected', at: AT, by: 'Hugo Laurent', reasonLabel: 'Wrong company size' },
      false,
      ['Rejected by Hugo Laurent: Wrong company size'],
    ],
    [
      'reassigned',
      { kind: 'reassigned', at: AT, toName: 'Isla Novak', reason: 'no first touch within 4 hours' },
      false,
      ['Reassigned to Isla Novak: no first touch within 4 hours'],
    ],
  ])('%s: says what happened, who and when; buttons only while the lead is open', (_n, state, buttons, says) => {
    const { blocks } = briefBlocks(sampleBrief(), state);
    const status = blocks.find((b) => b.block_id === 'handoff_status') as AnyBlock | undefined;
    const line = ((status?.elements as { text: string }[]) ?? [])[0]?.text ?? '';
    for (const s of says) expect(line).toContain(s);
    expect(line).toContain(`<!date^${AT_UNIX}^`);
    expect(actionsOf(blocks).map((e) => e.action_id)).toEqual(
      buttons ? [SLACK_ACTIONS.accept, SLACK_ACTIONS.reject, SLACK_ACTIONS.reachedOut] : [],
    );
    expect(blockKitErrors(blocks)).toEqual([]);
  });

  it('escapes names so they cannot ping a channel, mention someone or become a link', () => {
    const { text, blocks } = briefBlocks(hostileBrief(), { kind: 'open' });
    const all = [text, ...mrkdwnTexts(blocks)].join('\n');
    expect(all).not.toMatch(/<!channel>|<!here>|<@U0REPANA1>|<https:\/\/evil/);
    expect(all).toContain('&lt;!channel&gt; Bobby &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons');
    expect(all).toContain('&lt;https://evil.example|Click me&gt; Ltd &amp; Co');
    expect(blockKitErrors(blocks)).toEqual([]);
  });

  it('stays inside Block Kit limits whatever the brief holds', () => {
    const long = 'x'.repeat(10_000);
    const brief = sampleBrief({
      headline: `Demo request: ${long}`,
      whyThisLead: `${'&'.repeat(2000)}${long}`,
      reasonForHandoff: long,
      contact: { ...sampleBrief().contact, name: long, jobTitle: long },
      marketingNotes: Array.from({ length: 300 }, (_, i) => `note ${i} ${'y'.repeat(400)}`),
      links: Array.from({ length: 60 }, (_, i) => ({
        label: `Link ${i}`,
        url: `https://crm.example/r/${i}?${long.slice(0, 200)}`,
      })),
      rejectReasons: Array.from({ length: 150 }, (_, i) => ({ value: 'wrong_title' as const, label: `${i} ${long}` })),
    });
    for (const state of [
      { kind: 'open' },
      { kind: 'rejected', at: AT, by: long, reasonLabel: long },
    ] as HandoffMessageState[]) {
      const { text, blocks } = briefBlocks(brief, state);
      expect(blockKitErrors(blocks)).toEqual([]);
      expect(text.length).toBeLessThanOrEqual(3000);
    }
    const notes = mrkdwnTexts(briefBlocks(brief, { kind: 'open' }).blocks).find((t) =>
      t.startsWith('*Marketing notes*'),
    );
    expect(notes).toMatch(/…and \d+ more in the CRM/);
    const why = mrkdwnTexts(briefBlocks(brief, { kind: 'open' }).blocks).find((t) => t.startsWith('*Why this lead*'));
    expect(why).toMatch(/(&amp;)+x*…$/);
  });

  it.each<[string, Parameters<typeof sampleBrief>[0], HandoffMessageState, string]>([
    ['a javascript: link', { links: [{ label: 'CRM', url: 'javascript:alert(1)' }] }, { kind: 'open' }, 'links.0.url'],
    ['a relative link', { links: [{ label: 'CRM', url: '/contacts/1' }] }, { kind: 'open' }, 'links.0.url'],
    ['an SLA that is not a timestamp', { slaDueAt: 'tomorrow noon' }, { kind: 'open' }, 'slaDueAt'],
    ['no rejection reasons while open', { rejectReasons: [] }, { kind: 'open' }, 'rejectReasons'],
    [
      'a workflow id too long for an option value',
      { workflowId: `mql-hubspot-${'9'.repeat(60)}` },
      { kind: 'open' },
      'rejectReasons.0.value',
    ],
    ['a state time that is not a timestamp', {}, { kind: 'accepted', at: 'now', by: 'Hugo' }, 'state.at'],
  ])('rejects %s with an error naming the field', (_n, overrides, state, field) => {
    const attempt = () => briefBlocks(sampleBrief(overrides), state);
    expect(attempt).toThrow(InvalidBriefError);
    expect(attempt).toThrow(`brief.${field} = `);
  });

  it('needs no rejection reasons once the lead is decided', () => {
    const { blocks } = briefBlocks(sampleBrief({ rejectReasons: [] }), { kind: 'accepted', at: AT, by: 'Hugo' });
    expect(actionsOf(blocks)).toEqual([]);
  });
});

describe('noticeBlocks', () => {
  it('shows the title, the text and the lead with its SLA and links; fallback is the title', () => {
    const { text, blocks } = noticeBlocks(sampleNotice());
    expect(text).toBe('Escalation: Dana Ito (Globex) has waited 2 hours for first touch');
    const all = mrkdwnTexts(blocks).join('\n');
    expect(all).toContain('*Escalation: Dana Ito (Globex) has waited 2 hours for first touch*');
    expect(all).toContain('Hugo Laurent has not logged any activity yet.');
    expect(all).toContain('*Lead:* Dana Ito (Globex) · *Owner:* Hugo Laurent');
    expect(all).toContain(`<!date^${UNIX_DUE}^`);
    expect(all).toContain('|Open in HubSpot>');
    expect(actionsOf(blocks)).toEqual([]);
    expect(blockKitErrors(blocks)).toEqual([]);
  });

  it('escapes hostile titles and leads', () => {
    const { text, blocks } = noticeBlocks(
      sampleNotice({ title: 'Reminder: <!everyone> wake up', brief: hostileBrief() }),
    );
    const all = [text, ...mrkdwnTexts(blocks)].join('\n');
    expect(all).not.toMatch(/<!everyone>|<!channel>|<https:\/\/evil/);
    expect(all).toContain('&lt;!everyone&gt;');
  });
});

describe('briefEmail and noticeEmail', () => {
  it('renders the brief as HTML and plain text with the same facts', () => {
    const { subject, html, text } = briefEmail(sampleBrief());
    expect(subject).toBe('New MQL: Demo request: Dana Ito, VP Operations at Globex (1,200 employees)');
    for (const body of [html, text]) {
      for (const fact of [
        'Globex',
        '1,200 employees',
        'VP Operations',
        '82 / 100',
        '74 / 100',
        'Tue 24 Nov, 12:00 EST',
        '24 Nov 2026, 17:00 UTC',
        'Met the team at the Chicago roadshow',
        'Named account globex.example belongs to Hugo Laurent',
      ]) {
        expect(body).toContain(fact);
      }
    }
    expect(html).toContain('<a href="https://app.hubspot.com/contacts/4410001/record/0-1/1001">Open in HubSpot</a>');
    expect(html).toContain('<a href="mailto:dana.ito@globex.example">dana.ito@globex.example</a>');
    expect(text).toContain('Open in HubSpot: https://app.hubspot.com/contacts/4410001/record/0-1/1001');
  });

  it('escapes hostile names in HTML and keeps the subject on one line', () => {
    const { subject, html, text } = briefEmail(hostileBrief());
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toContain('Bcc: victim@evil.example'); // harmless once it is part of the one subject line
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;!channel&gt; Bobby &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; &#39;note&#39;');
    expect(text).toContain('<!channel> Bobby <script>alert(1)</script> & Sons'); // plain text is shown as-is
  });

  it('renders a notice with the lead, owner and due time', () => {
    const { subject, html, text } = noticeEmail(sampleNotice({ title: 'Reminder:\n<Dana> & co' }));
    expect(subject).toBe('Reminder: <Dana> & co');
    expect(html).toContain('<h2 style="margin:0 0 12px">Reminder:\n&lt;Dana&gt; &amp; co</h2>');
    expect(html).toContain('Hugo Laurent has not logged any activity yet.<br>The lead is reassigned');
    expect(text).toContain('Lead: Dana Ito (Globex)');
    expect(text).toContain('Owner: Hugo Laurent');
    expect(text).toContain('First touch due: Tue 24 Nov, 12:00 EST (24 Nov 2026, 17:00 UTC)');
  });

  it('refuses a brief whose link is not http(s)', () => {
    expect(() => briefEmail(sampleBrief({ links: [{ label: 'x', url: 'data:text/html,<script>' }] }))).toThrow(
      'brief.links.0.url = "data:text/html,<script>": expected an absolute http(s) URL',
    );
  });
});

describe('deterministicSummariser', () => {
  const now = new Date('2026-11-24T15:00:00Z');
  const events: EngagementEvent[] = [
    { type: 'demo_request', occurredAt: '2026-11-24T14:00:00Z', title: 'Book a demo' },
    { type: 'page_view', occurredAt: '2026-11-23T10:00:00Z', title: 'Pricing', url: 'https://acme.example/pricing' },
    { type: 'page_view', occurredAt: '2026-11-22T10:00:00Z', title: 'Pricing', url: 'https://acme.example/pricing' },
    { type: 'content_download', occurredAt: '2026-11-20T10:00:00Z', title: 'Enterprise datasheet' },
  ];

  it('says in plain words what the lead did, newest first', async () => {
    expect(await deterministicSummariser.summarise({ events, now })).toBe(
      'Requested a demo today, visited the pricing page twice this week and downloaded the Enterprise datasheet.',
    );
  });

  it("passes the org's pricing-page marker and clause limit through", async () => {
    const plans = events.map((e) => (e.url ? { ...e, title: 'Plans', url: 'https://acme.example/plans' } : e));
    expect(await deterministicSummariser.summarise({ events: plans, now })).toBe(
      'Requested a demo today, downloaded the Enterprise datasheet and viewed the Plans page twice this week.',
    );
    const org = createDeterministicSummariser({ pricingUrlContains: '/plans', maxClauses: 2 });
    expect(await org.summarise({ events: plans, now })).toBe(
      'Requested a demo today and visited the pricing page twice this week.',
    );
  });
});
