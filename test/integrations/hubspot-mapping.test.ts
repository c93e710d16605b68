/** The pure parts of the HubSpot adapter: engagement mapping, note text, Retry-After. */
import {
  classifyFormSubmission,
  engagementFromContactProperties,
  engagementFromWebEvent,
  mergeEngagement,
  noteText,
} from '../../src/activities/hubspot/engagement';
import { retryAfterSeconds } from '../../src/activities/hubspot/hubspot-errors';

describe('classifyFormSubmission', () => {
  it.each([
    ['Request a demo', undefined, 'demo_request'],
    ['Contact sales', 'https://x.example/demo', 'demo_request'],
    ['Start your free trial', undefined, 'free_trial_start'],
    ['Sign up', 'https://x.example/trial?plan=pro', 'free_trial_start'],
    ['Download: Enterprise datasheet', undefined, 'content_download'],
    ['2026 State of Analytics report', undefined, 'content_download'],
    ['HIPAA whitepaper', undefined, 'content_download'],
    ['Newsletter signup', 'https://x.example/blog', 'form_submission'],
    ['Demographics survey', undefined, 'form_submission'],
  ])('%s (%s) → %s', (title, url, expected) => {
    expect(classifyFormSubmission(title, url)).toBe(expected);
  });
});

describe('engagementFromWebEvent', () => {
  const at = '2026-03-01T10:00:00.000Z';
  it.each([
    [
      {
        eventType: 'e_visited_page',
        occurredAt: at,
        properties: { hs_url: 'https://x.example/pricing', hs_title: 'Pricing' },
      },
      { type: 'page_view', occurredAt: at, title: 'Pricing', url: 'https://x.example/pricing' },
    ],
    [
      { eventType: 'e_submitted_form', occurredAt: new Date(at), properties: { hs_form_title: 'Request a demo' } },
      { type: 'demo_request', occurredAt: at, title: 'Request a demo' },
    ],
    [
      {
        eventType: 'e_attended_marketing_event',
        occurredAt: at,
        properties: { hs_marketing_event_name: 'Webinar: X' },
      },
      { type: 'webinar_attended', occurredAt: at, title: 'Webinar: X' },
    ],
  ])('maps %j', (event, expected) => {
    expect(engagementFromWebEvent(event)).toEqual(expected);
  });

  it('drops event types it does not know and events without a valid time', () => {
    expect(engagementFromWebEvent({ eventType: 'e_cta_viewed', occurredAt: at })).toBeNull();
    expect(engagementFromWebEvent({ eventType: 'e_visited_page', occurredAt: 'not a date' })).toBeNull();
  });
});

describe('engagementFromContactProperties', () => {
  it('reads the last conversion and the last email open/click', () => {
    expect(
      engagementFromContactProperties({
        recent_conversion_event_name: 'Start your free trial',
        recent_conversion_date: '2026-03-01T09:00:00Z',
        hs_email_last_send_date: '2026-02-27T08:00:00Z',
        hs_email_last_open_date: '2026-02-27T09:00:00Z',
        hs_email_last_click_date: '1772182800000',
        hs_email_last_email_name: 'February newsletter',
      }),
    ).toEqual([
      { type: 'free_trial_start', occurredAt: '2026-03-01T09:00:00.000Z', title: 'Start your free trial' },
      { type: 'email_open', occurredAt: '2026-02-27T09:00:00.000Z', title: 'February newsletter' },
      { type: 'email_click', occurredAt: '2026-02-27T09:00:00.000Z', title: 'February newsletter' },
    ]);
  });

  it('does not name an email sent after the click', () => {
    const [click] = engagementFromContactProperties({
      hs_email_last_click_date: '2026-02-20T09:00:00Z',
      hs_email_last_send_date: '2026-02-27T08:00:00Z',
      hs_email_last_email_name: 'Later newsletter',
    });
    expect(click).toEqual({ type: 'email_click', occurredAt: '2026-02-20T09:00:00.000Z' });
  });
});

describe('mergeEngagement', () => {
  it('keeps one of the same action reported twice, newest first', () => {
    const merged = mergeEngagement([
      { type: 'page_view', occurredAt: '2026-03-01T08:00:00.000Z', url: 'https://x.example/' },
      { type: 'demo_request', occurredAt: '2026-03-01T10:00:00.000Z', title: 'Request a demo' },
      {
        type: 'demo_request',
        occurredAt: '2026-03-01T10:00:30.000Z',
        title: 'Request a demo',
        url: 'https://x.example/demo',
      },
      { type: 'demo_request', occurredAt: '2026-03-02T10:00:00.000Z', title: 'Request a demo' },
    ]);
    expect(merged.map((e) => [e.type, e.occurredAt])).toEqual([
      ['demo_request', '2026-03-02T10:00:00.000Z'],
      ['demo_request', '2026-03-01T10:00:30.000Z'],
      ['page_view', '2026-03-01T08:00:00.000Z'],
    ]);
  });
});

it('turns a rich-text note into plain text', () => {
  expect(noteText('<p>Met at <b>Boston</b> &amp; asked about SSO</p><p>Budget: Q3&nbsp;</p>')).toBe(
    'Met at Boston & asked about SSO\nBudget: Q3',
  );
});

describe('retryAfterSeconds', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');
  it.each([
    [{ 'Retry-After': '7' }, 7],
    [{ 'retry-after': '0.2' }, 1],
    [{ 'retry-after': 'Sun, 01 Mar 2026 10:00:30 GMT' }, 30],
    [{ 'x-hubspot-ratelimit-interval-milliseconds': '10000' }, 10],
    [{}, 10],
  ])('%j → %i s', (headers, expected) => {
    expect(retryAfterSeconds(headers, now)).toBe(expected);
  });
});
