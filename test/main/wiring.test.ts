/**
 * Each service is configured on its own: credentials set → that endpoint; otherwise the sandbox; neither → an
 * error naming the variables to set.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPorts, MissingServiceError, servicesNeedingSandbox } from '../../src/main/wiring';
import { loadEnv } from '../../src/config/env';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { sampleOrg } from '../support/handoff-fixture';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ config: sampleOrg() });
});
afterAll(async () => {
  await sandbox.close();
});

test('only the services without credentials need the sandbox', () => {
  expect(servicesNeedingSandbox(loadEnv({}))).toEqual(['hubspot', 'salesforce', 'slack', 'email']);
  expect(
    servicesNeedingSandbox(loadEnv({ SLACK_BOT_TOKEN: 'xoxb-real', SMTP_URL: 'smtp://mail.example:587' })),
  ).toEqual(['hubspot', 'salesforce']);
});

test('Salesforce credentials from the environment are used as given, the rest stays on the sandbox', async () => {
  const config = { ...sampleOrg(), salesCrm: 'salesforce' as const };
  const sf = sandbox.salesforce!;
  const env = loadEnv({
    SALESFORCE_LOGIN_URL: sf.url,
    SALESFORCE_CLIENT_ID: sf.credentials.clientId,
    SALESFORCE_CLIENT_SECRET: sf.credentials.clientSecret,
    SALESFORCE_REFRESH_TOKEN: sf.credentials.refreshToken,
    SALESFORCE_NURTURE_QUEUE_ID: sf.nurtureQueueId,
  });
  const ports = createPorts(env, config, { ...sandbox, salesforce: undefined });
  expect(ports.sales.system).toBe('salesforce');
  const grantsBefore = sf.tokenGrants.length;
  const lead = await ports.marketing.getLead('1006'); // Kim Lee at Initrode, which has an open opportunity
  expect(await ports.sales.findOpenDeal(lead!)).toMatchObject({ ownerId: '0055g00000FarHaAAA' });
  expect(sf.tokenGrants.slice(grantsBefore)).toEqual(['refresh_token']);
});

test('a service with neither credentials nor a sandbox is an error naming what to set', () => {
  expect(() => createPorts(loadEnv({}), sampleOrg(), { ...sandbox, slack: undefined })).toThrow(
    new MissingServiceError('slack', 'SLACK_BOT_TOKEN'),
  );
  expect(() => createPorts(loadEnv({}), sampleOrg(), null)).toThrow(/hubspot is not configured.*HUBSPOT_ACCESS_TOKEN/);
});

describe('notifications.mobilePush without Salesforce', () => {
  const hubspotOnly = (mobilePush: boolean) => {
    const org = sampleOrg();
    return { ...org, salesCrm: 'hubspot' as const, notifications: { ...org.notifications, mobilePush } };
  };

  test('is said at start-up, naming the key and why nothing is pushed', () => {
    const warnings: string[] = [];
    const ports = createPorts(
      loadEnv({}),
      hubspotOnly(true),
      { ...sandbox, salesforce: undefined },
      {
        warn: (line) => warnings.push(line),
      },
    );
    expect(ports.push).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/notifications\.mobilePush is on but no Salesforce is configured/);
    expect(warnings[0]).toMatch(/Salesforce custom notification/);
    expect(warnings[0]).toMatch(/SALESFORCE_CLIENT_ID/);
    expect(warnings[0]).toMatch(/notifications\.mobilePush: false/);
  });

  test('is quiet when Salesforce is there to push through, or push is off', () => {
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    expect(createPorts(loadEnv({}), hubspotOnly(true), sandbox, { warn }).push).toBeDefined();
    expect(createPorts(loadEnv({}), hubspotOnly(false), { ...sandbox, salesforce: undefined }, { warn }).push).toBe(
      undefined,
    );
    expect(warnings).toEqual([]);
  });
});

describe('the email sent-record', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wiring-email-'));
    sandbox.smtp!.clear();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const report = {
    to: [{ email: 'revops@acme-analytics.example' }],
    subject: 'Handoff health',
    html: '<p>ok</p>',
    text: 'ok',
    key: 'weekly-digest:mql-handoff:2026-W47:email',
    about: 'weekly digest 2026-W47',
  };

  test("the launcher's data-folder default: a worker restarted on it does not send the same key again", async () => {
    const sentRecordDefault = path.join(dir, '.data', 'email-sent.jsonl');
    const before = createPorts(loadEnv({}), sampleOrg(), sandbox, { sentRecordDefault, warn: () => undefined });
    await before.reports!.email.sendReport(report);
    const after = createPorts(loadEnv({}), sampleOrg(), sandbox, { sentRecordDefault, warn: () => undefined });
    await after.reports!.email.sendReport(report);
    expect(sandbox.smtp!.messages()).toHaveLength(1);
  });

  test('EMAIL_SENT_RECORD names the file, over the default', async () => {
    const env = loadEnv({ EMAIL_SENT_RECORD: path.join(dir, 'shared', 'sent.jsonl') });
    const opts = { sentRecordDefault: path.join(dir, 'unused.jsonl'), warn: () => undefined };
    await createPorts(env, sampleOrg(), sandbox, opts).reports!.email.sendReport(report);
    await createPorts(env, sampleOrg(), sandbox, {}).reports!.email.sendReport(report);
    expect(sandbox.smtp!.messages()).toHaveLength(1);
  });

  test('a default that cannot be written: a warning, and dedupe in memory only; an EMAIL_SENT_RECORD that cannot: an error', () => {
    writeFileSync(path.join(dir, 'a-file'), '');
    const unwritable = path.join(dir, 'a-file', 'email-sent.jsonl');
    const warnings: string[] = [];
    const ports = createPorts(loadEnv({}), sampleOrg(), sandbox, {
      sentRecordDefault: unwritable,
      warn: (line) => warnings.push(line),
    });
    expect(ports.email).toBeDefined();
    expect(warnings).toEqual([
      expect.stringMatching(
        /email dedupe is in this process's memory only.*a-file\/email-sent\.jsonl.*EMAIL_SENT_RECORD/,
      ),
    ]);
    expect(() => createPorts(loadEnv({ EMAIL_SENT_RECORD: unwritable }), sampleOrg(), sandbox)).toThrow(
      `email sent-record ${unwritable}: cannot be written`,
    );
  });
});
