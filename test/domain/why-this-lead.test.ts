import type { EngagementEvent } from '../../src/domain/lead';
import { describeEngagement, joinWords } from '../../src/domain/why-this-lead';
import { event } from './fixtures';

/** Friday 20 Nov 2026, 15:00 UTC. */
const now = new Date('2026-11-20T15:00:00Z');
const pricing = (hoursAgo: number): EngagementEvent =>
  event(now, hoursAgo, 'page_view', { title: 'Pricing', url: 'https://acme-analytics.example/pricing' });
const page = (hoursAgo: number, title: string): EngagementEvent =>
  event(now, hoursAgo, 'page_view', { title, url: `https://acme-analytics.example/${title.toLowerCase()}` });

describe('describeEngagement', () => {
  it.each<[string, EngagementEvent[], string]>([
    [
      'the brief example: demo, pricing visits, datasheet',
      [
        event(now, 72, 'content_download', { title: 'Enterprise datasheet' }),
        pricing(1),
        pricing(26),
        pricing(50),
        event(now, 1, 'demo_request', { title: 'Book a demo' }),
      ],
      'Requested a demo today, visited the pricing page 3 times this week and downloaded the Enterprise datasheet.',
    ],
    ['no events', [], 'No recent engagement recorded.'],
    [
      'marketing notes only',
      [event(now, 2, 'marketing_note', { title: 'Met at the Boston roadshow' })],
      'No recent engagement recorded.',
    ],
    ['one pricing view yesterday', [pricing(20)], 'Visited the pricing page yesterday.'],
    ['two pricing views on one day', [pricing(72), pricing(73)], 'Visited the pricing page twice 3 days ago.'],
    [
      'pricing views over three weeks',
      [pricing(40), pricing(480)],
      'Visited the pricing page twice in the last 21 days.',
    ],
    ['a free trial', [event(now, 30, 'free_trial_start')], 'Started a free trial yesterday.'],
    [
      'one other page, repeated',
      [page(3, 'Integrations'), page(30, 'Integrations')],
      'Viewed the Integrations page twice this week.',
    ],
    [
      'several other pages',
      [page(3, 'Security'), page(4, 'Integrations'), page(30, 'Security'), page(50, 'Customers')],
      'Viewed 3 pages this week, most often the Security page.',
    ],
    [
      'several downloads, newest first, the rest counted',
      [
        event(now, 90, 'content_download', { title: 'Enterprise datasheet' }),
        event(now, 5, 'content_download', { title: 'ROI guide' }),
        event(now, 30, 'content_download', { title: 'The 2026 analytics benchmark' }),
        event(now, 6, 'content_download', { title: 'ROI guide' }),
      ],
      'Downloaded the ROI guide, The 2026 analytics benchmark and 1 more.',
    ],
    ['an untitled download', [event(now, 5, 'content_download')], 'Downloaded a content asset.'],
    [
      'webinars with and without the word in the title',
      [
        event(now, 5, 'webinar_attended', { title: 'Scaling analytics' }),
        event(now, 50, 'webinar_attended', { title: 'Live webinar: Q4 roadmap' }),
      ],
      'Attended the Scaling analytics webinar and the Live webinar: Q4 roadmap.',
    ],
    ['a form', [event(now, 5, 'form_submission', { title: 'Contact sales' })], 'Submitted the Contact sales form.'],
    [
      'email clicks counted',
      [
        event(now, 2, 'email_click', { title: 'Q4 launch' }),
        event(now, 100, 'email_click', { title: 'Q4 launch' }),
        event(now, 200, 'email_click'),
        event(now, 300, 'email_click'),
      ],
      'Clicked links in marketing emails 4 times in the last two weeks.',
    ],
    ['one email open', [event(now, 2, 'email_open', { title: 'Newsletter' })], 'Opened a marketing email today.'],
    [
      'unreadable timestamps are ignored',
      [{ type: 'demo_request', occurredAt: 'last Tuesday' }, pricing(2)],
      'Visited the pricing page today.',
    ],
  ])('%s', (_case, events, expected) => {
    expect(describeEngagement(events, now)).toBe(expected);
  });

  it('keeps only the most telling clauses, three by default', () => {
    const events = [
      event(now, 1, 'email_open'),
      event(now, 1, 'email_click'),
      page(1, 'Security'),
      event(now, 1, 'form_submission', { title: 'Contact sales' }),
      event(now, 1, 'webinar_attended', { title: 'Scaling analytics' }),
    ];
    expect(describeEngagement(events, now)).toBe(
      'Attended the Scaling analytics webinar, submitted the Contact sales form and viewed the Security page today.',
    );
    expect(describeEngagement(events, now, { maxClauses: 1 })).toBe('Attended the Scaling analytics webinar.');
    expect(describeEngagement(events, now, { maxClauses: 10 })).toBe(
      'Attended the Scaling analytics webinar, submitted the Contact sales form, viewed the Security page today, ' +
        'clicked a link in a marketing email today and opened a marketing email today.',
    );
  });

  it('gives the same sentence whatever the order of the events', () => {
    const events = [event(now, 1, 'demo_request'), pricing(3), pricing(30), pricing(60), page(2, 'Security')];
    const expected = describeEngagement(events, now);
    expect(describeEngagement([...events].reverse(), now)).toBe(expected);
    expect(describeEngagement([events[2]!, events[0]!, events[4]!, events[1]!, events[3]!], now)).toBe(expected);
  });

  it('recognises pricing pages by the configured URL fragment', () => {
    const plans = event(now, 2, 'page_view', { title: 'Plans', url: 'https://acme-analytics.example/PLANS' });
    expect(describeEngagement([plans], now, { pricingUrlContains: '/plans' })).toBe('Visited the pricing page today.');
    expect(describeEngagement([plans], now)).toBe('Viewed the Plans page today.');
  });

  it.each([
    ['UTC', 'Requested a demo today.'],
    ['America/New_York', 'Requested a demo yesterday.'],
  ])('counts days in the reader’s zone: %s', (timeZone, expected) => {
    // 03:00 UTC on the 20th is 22:00 on the 19th in New York.
    const events: EngagementEvent[] = [{ type: 'demo_request', occurredAt: '2026-11-20T03:00:00Z' }];
    expect(describeEngagement(events, now, { timeZone })).toBe(expected);
  });
});

describe('joinWords', () => {
  it.each([
    [[], ''],
    [['a'], 'a'],
    [['a', 'b'], 'a and b'],
    [['a', 'b', 'c'], 'a, b and c'],
  ])('%j → %s', (items, expected) => {
    expect(joinWords(items)).toBe(expected);
  });
});
