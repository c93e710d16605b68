/**
 * `npm run bench`: the handoff's performance figures on this machine, as one table (figure, target, measured,
 * ratio) and a JSON record in bench/results/ (with the CPU count and load), so runs can be compared.
 *
 *   npm run bench                       every figure at full size (about half an hour)
 *   npm run bench -- --quick            every figure, small (under a minute; CI runs it, nothing is asserted)
 *   npm run bench -- --postgres         the same against a Temporal server on PostgreSQL (postgres.ts)
 *   npm run bench -- --only p1,p3       some figures (p1 p2 p3 p4 roster; p2 runs with p1)
 *   npm run bench -- --seconds 30 --p4-leads 2000    smaller P1/P2 segments and P4 (the record says so)
 *
 * Each figure is in its own file (p1-steady-load.ts …); bench/lib/ has what they share. Nothing here asserts:
 * figures depend on the machine, and a loaded machine makes them worse.
 */
import os from 'node:os';
import { activitySteps, fetchEvents, loadRecordedEvents, REFERENCE_HISTORY } from './lib/history';
import { benchOrg } from './lib/org';
import { describeMachine, formatTable, gitCommit, score, writeRecord, type Row } from './lib/results';
import { startDevServer, type TemporalServer } from './lib/server';
import { startStack, type Stack } from './lib/stack';
import { handoffWorkflowId } from '../src/workflows/definitions';
import { p1Rows, steadyHandoffs } from './p1-steady-load';
import { burst, burstRows, p2Rows, steadyBare } from './p2-bare-temporal';
import { p3Rows, slaLateness } from './p3-sla-lateness';
import { p4Rows, parkedLeads } from './p4-parked-leads';
import { rosterRows, rosterThroughput } from './roster-throughput';

const FIGURES = ['p1', 'p3', 'p4', 'roster'] as const;

interface Params {
  rates: number[];
  seconds: number;
  burst: number;
  p3: { count: number; rungSeconds: number };
  p4: { count: number; freshStack: boolean };
  rosterClaims: number;
  reps: number;
}

const FULL: Params = {
  rates: [5, 10, 20],
  seconds: 120,
  burst: 200,
  p3: { count: 500, rungSeconds: 60 },
  p4: { count: 10_000, freshStack: true },
  rosterClaims: 5000,
  reps: 200,
};

const QUICK: Params = {
  rates: [5],
  seconds: 3,
  burst: 10,
  p3: { count: 10, rungSeconds: 5 },
  p4: { count: 50, freshStack: false },
  rosterClaims: 300,
  reps: 20,
};

const began = Date.now();
const say = (line: string): void =>
  void process.stderr.write(`[bench ${Math.round((Date.now() - began) / 1000)} s] ${line}\n`);

interface Args {
  quick: boolean;
  postgres: boolean;
  only: Set<string>;
  seconds?: number;
  p4Leads?: number;
}

const USAGE = 'expected --quick, --postgres, --only <p1,p2,p3,p4,roster>, --seconds <n>, --p4-leads <n>';

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, postgres: false, only: new Set(FIGURES) };
  const number = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: expected a positive whole number, got "${value}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--quick') args.quick = true;
    else if (flag === '--postgres') args.postgres = true;
    else if (flag === '--seconds') args.seconds = number(flag, value());
    else if (flag === '--p4-leads') args.p4Leads = number(flag, value());
    else if (flag === '--only') {
      args.only = new Set((value() ?? '').split(',').map((f) => (f.trim() === 'p2' ? 'p1' : f.trim())));
      for (const f of args.only) {
        if (!(FIGURES as readonly string[]).includes(f)) throw new Error(`--only: unknown figure "${f}" (${USAGE})`);
      }
    } else throw new Error(`unknown option ${flag} (${USAGE})`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const base = args.quick ? QUICK : FULL;
  const params: Params = {
    ...base,
    seconds: args.seconds ?? base.seconds,
    p4: { ...base.p4, count: args.p4Leads ?? base.p4.count },
  };
  const mode = args.quick ? 'quick' : args.seconds || args.p4Leads ? 'custom' : 'full';
  const startedAt = new Date();
  const machine = describeMachine();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const config = benchOrg({ reps: params.reps, capacity: 1000, reminderAfter: `${params.p3.rungSeconds}s` });

  // P2's bare workflow copies the recorded handoff's activities up to the DM, step by step.
  const reference = activitySteps(loadRecordedEvents());
  details.bareShape = { history: REFERENCE_HISTORY, steps: reference.steps, shape: reference.shape };
  say(
    `a handoff runs ${reference.shape.steps.reduce((a, b) => a + b, 0)} activities up to its DM in ` +
      `${reference.steps.length} steps (${REFERENCE_HISTORY}): ${reference.steps.map((s) => s.join('+')).join(' → ')}`,
  );

  const server: TemporalServer = args.postgres
    ? await (await import('./lib/postgres')).startPostgresServer({ log: say })
    : await startDevServer();
  say(`Temporal: ${server.description} at ${server.address}`);
  const stacks: Stack[] = [];
  try {
    const stack = await startStack({ name: 'main', server, config });
    stacks.push(stack);
    say(`stack up: worker pid ${stack.workerPid}, bridge ${stack.bridgeUrl}`);

    // Warm-up (bundles, connections, the roster workflow), and a check that the bench's lead takes the recorded path.
    const warm = await stack.createLeads(3, 'demo');
    await Promise.all(warm.map((id) => stack.postMqls([id])));
    const warmWfs = warm.map((id) => handoffWorkflowId('hubspot', id));
    await stack.waitFor(stack.dmAt, warmWfs, 120_000, 'warm-up DMs');
    const live = activitySteps(await fetchEvents(stack.client, warmWfs[0]!));
    details.liveSteps = live.steps;
    if (JSON.stringify(live.steps) !== JSON.stringify(reference.steps)) {
      say(`NOTE: the bench's lead runs ${live.steps.map((s) => s.join('+')).join(' → ')}; the recorded one differs`);
      details.liveStepsDiffer = true;
    }

    /** A figure that fails is a row saying so; the others still run and the record is still written. */
    const figure = async (name: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        say(`${name} failed: ${(e as Error).message}`);
        rows.push({ id: `${name}.failed`, figure: `${name} failed`, unit: 'count', measured: NaN, note: String(e) });
      }
    };

    if (args.only.has('p1')) {
      const p1: unknown[] = [];
      const p2: unknown[] = [];
      details.p1 = p1;
      details.p2 = { steady: p2 };
      for (const rate of params.rates)
        await figure(`P1/P2 @ ${rate}/s`, async () => {
          say(`P1: ${rate} MQL/s for ${params.seconds} s through the bridge`);
          const drainMs = Math.max(120_000, 3 * params.seconds * 1000);
          const h = await steadyHandoffs(stack, rate, params.seconds, drainMs);
          rows.push(...p1Rows(h));
          p1.push(h);
          say(`P2: ${rate}/s for ${params.seconds} s through the bare workflow`);
          const b = await steadyBare(stack, reference.shape, rate, params.seconds, drainMs);
          rows.push(...p2Rows(h, b));
          p2.push(b);
        });
      await figure('P2 burst', async () => {
        say(`P2: bursts of ${params.burst}`);
        const bursts = await burst(stack, reference.shape, params.burst);
        rows.push(...burstRows(bursts));
        details.p2 = { steady: p2, burst: bursts };
      });
    }

    if (args.only.has('p3'))
      await figure('P3', async () => {
        say(`P3: ${params.p3.count} leads, first rung due ${params.p3.rungSeconds} s after assignment`);
        const r = await slaLateness(stack, params.p3.count, params.p3.rungSeconds);
        rows.push(...p3Rows(r));
        details.p3 = r;
      });

    if (args.only.has('roster'))
      await figure('roster', async () => {
        say(`roster: ${params.rosterClaims} claims for one team`);
        const r = await rosterThroughput(stack, params.rosterClaims);
        rows.push(...rosterRows(r));
        details.roster = r;
      });

    if (args.only.has('p4'))
      await figure('P4', async () => {
        let p4Stack = stack;
        if (params.p4.freshStack) {
          // A fresh worker: its RSS is then that of the parked leads alone.
          await stacks.pop()!.stop();
          p4Stack = await startStack({ name: 'parked', server, config, bare: false });
          stacks.push(p4Stack);
        }
        say(`P4: ${params.p4.count} leads parked, then woken at once`);
        const r = await parkedLeads(p4Stack, params.p4.count);
        rows.push(...p4Rows(r));
        details.p4 = r;
      });
  } finally {
    say('stopping');
    for (const s of stacks.reverse()) await s.stop();
    await server.stop();
    say('stopped');
  }

  machine.loadAverage.end = os.loadavg()[0]!;
  const scored = rows.map(score);
  const file = writeRecord({
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode,
    server: server.kind,
    commit: gitCommit(),
    machine,
    params: { ...params, only: [...args.only] },
    rows: scored,
    details,
  });
  console.log(
    `\nmql-handoff bench (${mode}) on ${server.description}\n` +
      `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryMB} MB, node ${machine.node}; ` +
      `load average ${machine.loadAverage.start.toFixed(2)} at start, ${machine.loadAverage.end.toFixed(2)} at end\n`,
  );
  console.log(formatTable(scored));
  console.log(`\nrecord: ${file}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
