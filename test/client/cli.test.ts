/**
 * `handoff` argument handling and exit codes, run in-process (runCli) without a Temporal server: bad input is a
 * one-line error and exit 2 before anything is contacted; unreachable Temporal or bridge is exit 3 naming the
 * address; --help works on every command. Commands against a real server are in cli.temporal.test.ts.
 */
import { Connection, Client } from '@temporalio/client';
import type { TemporalSettings } from '../../src/config/env';
import { createBridge, type Bridge } from '../../src/client/bridge/server';
import { runCli } from '../../src/client/cli/main';
import { defaultSlackEmulatorUrl, SCENARIOS } from '../../src/client/cli/simulate';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import { DEFAULT_SANDBOX_BASE_PORT, SANDBOX_PORT_OFFSETS } from '../../src/sandbox';
import { DEMO_CONTACTS } from '../../src/sandbox/hubspot/seed';
import { startSlackEmulator, type SlackEmulator } from '../../src/sandbox/slack/slack-emulator';
import { BRIDGE_SECRETS, HUBSPOT_SECRET, unreachableTemporal, unusedPort } from './support';

const config = loadOrgConfigFile(resolveOrgConfigPath());

interface Run {
  code: number;
  out: string;
  err: string;
  connects: number;
}

async function cli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  connect?: (settings: TemporalSettings) => Promise<Client>,
): Promise<Run> {
  let out = '';
  let err = '';
  let connects = 0;
  const code = await runCli(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { TEMPORAL_ADDRESS: '127.0.0.1:1', ...env },
    connect: async (settings) => {
      connects += 1;
      if (!connect) throw new Error('this test must not connect to Temporal');
      return connect(settings);
    },
  });
  return { code, out, err, connects };
}

describe('--help on every command', () => {
  test.each([
    [[], 'Usage: handoff [options] [command]'],
    [['stuck'], 'Usage: handoff stuck [options]'],
    [['report'], 'Usage: handoff report [options]'],
    [['status'], 'Usage: handoff status [options] <lead>'],
    [['reassign'], 'Usage: handoff reassign [options] <lead>'],
    [['accept'], 'Usage: handoff accept [options] <lead>'],
    [['reject'], 'Usage: handoff reject [options] <lead>'],
    [['activity'], 'Usage: handoff activity [options] <lead>'],
    [['simulate'], 'Usage: handoff simulate [options] [command]'],
    [['simulate', 'demo-request'], 'Usage: handoff simulate demo-request [options]'],
    [['simulate', 'click'], 'Usage: handoff simulate click [options] <lead>'],
  ])('handoff %j --help', async (args, usage) => {
    const r = await cli([...args, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(usage);
    expect(r.connects).toBe(0);
  });

  test('simulate lists every sandbox scenario', async () => {
    const r = await cli(['simulate', '--help']);
    for (const s of [
      'demo-request',
      'behavioral-mql',
      'fails-icp',
      'emea-territory',
      'healthcare',
      'open-deal',
      'small-behavioral',
      'click',
    ]) {
      expect(r.out).toContain(s);
    }
  });
});

describe('bad input → one-line error, exit 2, nothing contacted', () => {
  test.each([
    ['an unknown command', ['escalate', '1001'], /unknown command 'escalate'/],
    [
      'a lead that is neither a workflow id nor a contact id',
      ['status', 'dana.ito'],
      /lead "dana\.ito": expected a workflow id \(mql-hubspot-<contact id>\) or a HubSpot contact id/,
    ],
    ['accept without --as', ['accept', '1001'], /required option '--as <rep>'/],
    [
      'accept as an unknown rep',
      ['accept', '1001', '--as', 'rep-zed'],
      /unknown rep "rep-zed": expected one of rep-ana, /,
    ],
    [
      'reject with a reason off the picklist',
      ['reject', '1001', '--as', 'rep-ana', '--reason', 'too_expensive'],
      /--reason: rejection reason "too_expensive" is not on the picklist; expected one of: wrong_company_size/,
    ],
    ['reject without --reason', ['reject', '1001', '--as', 'rep-ana'], /required option '--reason <value>'/],
    ['reassign without --reason', ['reassign', '1001'], /required option '--reason <text>'/],
    ['reassign with an empty reason', ['reassign', '1001', '--reason', ' '], /--reason: expected a non-empty reason/],
    ['reassign to an unknown rep', ['reassign', '1001', '--to', 'rep-zed', '--reason', 'x'], /unknown rep "rep-zed"/],
    [
      'activity of an unknown type',
      ['activity', '1001', '--type', 'smoke_signal'],
      /--type "smoke_signal": expected one of call, email, meeting, note, task, slack_ack/,
    ],
    [
      'stuck for an unknown team',
      ['stuck', '--team', 'sdr-outer-space'],
      /unknown team "sdr-outer-space": expected one of sdr-inbound/,
    ],
    ['stuck for an unknown rep', ['stuck', '--rep', 'rep-zed'], /unknown rep "rep-zed"/],
    ['stuck with a bad duration', ['stuck', '--older-than', '2 hours'], /--older-than: invalid duration "2 hours"/],
    ['stuck with a bad limit', ['stuck', '--limit', '0'], /--limit "0": expected a whole number/],
    [
      'report for a week that is not an ISO week',
      ['report', '--week', '2026-48'],
      /^handoff: --week "2026-48": expected an ISO week such as 2026-W48, or "this" or "last"\n$/,
    ],
    [
      'report for a week the year does not have',
      ['report', '--week', '2027-W53'],
      /--week "2027-W53": 2027 has no week 53/,
    ],
    [
      'report for a week yet to start',
      ['report', '--week', '2999-W01'],
      /--week "2999-W01": that week has not started yet/,
    ],
    [
      'report with no volume weeks',
      ['report', '--volume-weeks', '0'],
      /--volume-weeks "0": expected a whole number from 1 to 26/,
    ],
    ['simulate an unknown scenario', ['simulate', 'world-peace'], /unknown command 'world-peace'/],
    [
      'simulate click with an unknown action',
      ['simulate', 'click', '1001', '--action', 'ignore'],
      /argument 'ignore' is invalid/,
    ],
    [
      'simulate click reject without a reason',
      ['simulate', 'click', '1001', '--action', 'reject'],
      /--reason: required with --action reject/,
    ],
    [
      'simulate click as an unknown rep',
      ['simulate', 'click', '1001', '--action', 'accept', '--as', 'rep-zed'],
      /unknown rep "rep-zed"/,
    ],
  ])('%s', async (_name, argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(r.connects).toBe(0);
    // One line, plus commander's usage hint for parse errors.
    expect(
      r.err
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('(add --help')).length,
    ).toBe(1);
  });

  test('a bad environment names the variable', async () => {
    const r = await cli(['status', '1001'], { TEMPORAL_ADDRESS: 'not an address' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/TEMPORAL_ADDRESS = "not an address": expected host:port/);
  });
});

describe('unreachable → exit 3 naming the address tried', () => {
  test('Temporal', async () => {
    const r = await cli(['status', '1001'], { TEMPORAL_ADDRESS: '127.0.0.1:1' }, async () => {
      const connection = await Connection.connect({ address: '127.0.0.1:1', connectTimeout: '300ms' });
      return new Client({ connection });
    });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^handoff: cannot reach Temporal at 127\.0\.0\.1:1: /);
  });

  test('the bridge', async () => {
    const port = await unusedPort();
    const r = await cli(['simulate', 'demo-request', '--bridge', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`cannot reach the bridge at http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  test('the Slack emulator', async () => {
    const port = await unusedPort();
    const r = await cli(['simulate', 'click', '1001', '--action', 'accept', '--slack-url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`cannot reach the Slack emulator at http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});

describe('with no address given, the CLI goes where `npm start` runs (TEMPORAL_DEV_PORT, BRIDGE_PORT)', () => {
  test('Temporal: localhost:TEMPORAL_DEV_PORT', async () => {
    const port = await unusedPort();
    const dialled: (string | undefined)[] = [];
    const r = await cli(['status', '1001'], { TEMPORAL_ADDRESS: '', TEMPORAL_DEV_PORT: String(port) }, async (s) => {
      dialled.push(s.address);
      const connection = await Connection.connect({ address: s.address, connectTimeout: '300ms' });
      return new Client({ connection });
    });
    expect(dialled).toEqual([`localhost:${port}`]);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`cannot reach Temporal at localhost:${port}: `);
  });

  test('TEMPORAL_ADDRESS still wins over TEMPORAL_DEV_PORT', async () => {
    const dialled: (string | undefined)[] = [];
    const r = await cli(['status', '1001'], { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_DEV_PORT: '7399' }, (s) => {
      dialled.push(s.address);
      return Promise.reject(new Error('refused'));
    });
    expect(dialled).toEqual(['127.0.0.1:1']);
    expect(r.err).toContain('cannot reach Temporal at 127.0.0.1:1: refused');
  });

  test('the bridge: http://localhost:BRIDGE_PORT, unless BRIDGE_URL says otherwise', async () => {
    const bridge = await createBridge({
      temporal: unreachableTemporal(),
      taskQueue: 'unit',
      config,
      secrets: BRIDGE_SECRETS,
      production: true,
      log: () => undefined,
    });
    const port = await unusedPort();
    await bridge.listen(port);
    try {
      const r = await cli(['simulate', 'behavioral-mql'], {
        BRIDGE_PORT: String(port),
        HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
      });
      // Reached it: the bridge itself answers that its Temporal is down.
      expect(r.err).toContain(`the bridge at http://localhost:${port} cannot reach Temporal`);
      expect(r.code).toBe(3);

      const elsewhere = await unusedPort();
      const viaUrl = await cli(['simulate', 'behavioral-mql'], {
        BRIDGE_PORT: String(port),
        BRIDGE_URL: `http://127.0.0.1:${elsewhere}`,
      });
      expect(viaUrl.err).toContain(`cannot reach the bridge at http://127.0.0.1:${elsewhere}: ECONNREFUSED`);
    } finally {
      await bridge.close();
    }
  });
});

describe('simulate against a bridge whose Temporal is down', () => {
  let bridge: Bridge;
  let url: string;
  const temporal = unreachableTemporal();
  beforeAll(async () => {
    bridge = await createBridge({
      temporal,
      taskQueue: 'unit',
      config,
      secrets: BRIDGE_SECRETS,
      production: true,
      log: () => undefined,
    });
    url = await bridge.listen(0);
  });
  afterAll(async () => {
    await bridge.close();
  });

  test('the signed webhook passes the signature check: exit 3 says the bridge cannot reach Temporal', async () => {
    const r = await cli(['simulate', 'behavioral-mql', '--bridge', url], { HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET });
    expect(r.err).toMatch(
      /the bridge at http:\/\/127\.0\.0\.1:\d+ cannot reach Temporal: Temporal at 127\.0\.0\.1:1 is unreachable/,
    );
    expect(r.code).toBe(3);
    // The bridge's probe already knows Temporal is down: it answers 503 without trying.
    expect(temporal.calls).toBe(0);
  });

  test('signed with the wrong secret: the bridge refuses, exit 1 with its reason', async () => {
    const r = await cli(['simulate', 'behavioral-mql', '--bridge', url, '--secret', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /the bridge refused the request \(HTTP 401\): signature does not match \(field x-hubspot-signature-v3/,
    );
  });
});

describe('simulate click reads the DM from the Slack emulator', () => {
  let slack: SlackEmulator;
  beforeAll(async () => {
    slack = await startSlackEmulator({ config });
  });
  afterAll(async () => {
    await slack.close();
  });

  test('no handoff DM for that lead → exit 2', async () => {
    const r = await cli(['simulate', 'click', '1001', '--action', 'accept', '--slack-url', slack.url]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no handoff DM with the accept button for mql-hubspot-1001 in the Slack emulator/);
  });
});

describe('the CLI and the sandbox, which import nothing from each other, agree', () => {
  test("simulate's scenarios are the sandbox's demo contacts, one each", () => {
    const cli = Object.entries(SCENARIOS).map(([scenario, s]) => ({ id: s.contactId, scenario }));
    expect(cli).toEqual(DEMO_CONTACTS.map(({ id, scenario }) => ({ id, scenario })));
  });

  test('the default --slack-url is where `npm start` runs the Slack emulator', () => {
    expect(defaultSlackEmulatorUrl({ SANDBOX_BASE_PORT: undefined })).toBe(
      `http://127.0.0.1:${DEFAULT_SANDBOX_BASE_PORT + SANDBOX_PORT_OFFSETS.slack}`,
    );
    expect(defaultSlackEmulatorUrl({ SANDBOX_BASE_PORT: 14100 })).toBe(
      `http://127.0.0.1:${14100 + SANDBOX_PORT_OFFSETS.slack}`,
    );
  });
});
