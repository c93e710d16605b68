/**
 * `handoff simulate quarter`: a quarter of synthetic MQLs through the real handoff workflows and activities, on a
 * Java time-skipping test server of its own, so 13 weeks pass in minutes. MQLs arrive as the model draws them;
 * each DM starts a simulated rep who touches and decides in their working hours; the SLA ladders, reassignments,
 * rejections and 90-day re-nurtures run as in production. The handoffs' final statuses give the five metrics and
 * the assignment spread per rep.
 */
import { activityInfo } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { createHandoffActivities } from '../activities/handoff-activities';
import { deterministicSummariser } from '../activities/summariser';
import { assigneeCalendar } from '../domain/assignee';
import { parseDurationMs } from '../domain/duration';
import { healthFigures, type HandoffRecord, type HealthFigures } from '../domain/handoff-health';
import { calendarOf, findRep, repByCrmOwnerId } from '../domain/org';
import type { OrgConfig } from '../domain/org-config';
import { resolveTestServer } from '../temporal/binaries';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { HANDOFF_WORKFLOW_TYPE, handoffWorkflowId, statusQuery, type HandoffStatus } from '../workflows/definitions';
import { createSimulationActivities } from './activities';
import { arrivals, repAnswer, syntheticLead } from './model';
import type { SimulatedRepInput } from './rep-workflow';
import { SimulatedWorld } from './world';

export interface QuarterOptions {
  config: OrgConfig;
  mqls: number;
  seed: number;
  /** Days of MQL arrivals (a quarter: 91). */
  days?: number;
  log?: (line: string) => void;
}

export interface QuarterResult {
  mqls: number;
  seed: number;
  /** Server time of the first and last arrival, and when the run stopped (after the tail). */
  from: string;
  to: string;
  until: string;
  figures: HealthFigures;
  /** The same figures for the leads each rep (or manager) last held. */
  byRep: Record<string, HealthFigures>;
  /** Assignments per rep id (every assignment, reassignments included), largest first. */
  spread: { repId: string; assignments: number }[];
  /** Wall-clock seconds the simulation took. */
  seconds: number;
}

const DAY_MS = 86_400_000;
/** After the last arrival: time for ladders and decisions to finish (re-nurtures run the configured delay on top). */
const SETTLE_DAYS = 21;

export async function simulateQuarter(opts: QuarterOptions): Promise<QuarterResult> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const { config, seed } = opts;
  installQuietRuntime();
  const server = await resolveTestServer({ allowDownload: false });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: server.executable } });
  try {
    await registerSearchAttributes(env.connection, 'default');
    const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: silentLogger });
    const taskQueue = `simulation-${seed}`;
    const lastDecided = new Map<string, HandoffStatus>(); // per workflow id and cycle: a re-nurtured cycle's record
    const lastBriefedTo = new Map<string, string>(); // workflow id → the rep or manager DM'd last
    const busyUntil = new Map<string, Date>(); // rep or manager id → free of earlier leads at
    const world = new SimulatedWorld(async ({ leadWorkflowId, no, to }) => {
      lastBriefedTo.set(leadWorkflowId, to.id);
      const found = findRep(config, to.id);
      const team = found?.team ?? config.teams.find((t) => t.managerId === to.id) ?? config.teams[0]!;
      const timeZone = found?.rep.timeZone ?? calendarOf(config, team.id).timeZone;
      const answer = repAnswer({
        seed,
        leadId: leadWorkflowId,
        no,
        repId: to.id,
        // Server time (time-skipping), not this process's clock.
        dmAt: new Date(activityInfo().currentAttemptScheduledTimestampMs),
        calendar: assigneeCalendar(config, { teamId: team.id, timeZone }),
        busyUntil: busyUntil.get(to.id) ?? null,
      });
      if (!answer.touchAt || !answer.decideAt) return; // never gets to it: the ladder takes over
      busyUntil.set(to.id, answer.busyUntil!);
      const input: SimulatedRepInput = {
        leadWorkflowId,
        repId: to.id,
        touchAt: answer.touchAt.toISOString(),
        decideAt: answer.decideAt.toISOString(),
        decision: answer.decision,
      };
      await env.client.workflow.start('simulatedRep', {
        taskQueue,
        workflowId: `sim-rep:${leadWorkflowId}:${no}`,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        ...createHandoffActivities({
          config: () => config,
          ...world.ports(),
          summariser: deterministicSummariser,
          temporal: env.client,
          rosterScope: `sim-${seed}`,
        }),
        ...createSimulationActivities({
          client: env.client,
          holds: (leadWorkflowId, repId) => world.ownerOf.get(leadWorkflowId) === salesOwnerIdOf(config, repId),
          onRenurtured: (s) => lastDecided.set(`${s.workflowId}#${s.cycle}`, s),
        }),
      },
      maxCachedWorkflows: 5000,
      maxConcurrentWorkflowTaskExecutions: 200,
      maxConcurrentActivityTaskExecutions: 400,
    });

    return await worker.runUntil(async () => {
      // The quarter starts on the coming Monday, 00:00 UTC.
      let day = Math.ceil((await env.currentTimeMs()) / DAY_MS) * DAY_MS;
      while (new Date(day).getUTCDay() !== 1) day += DAY_MS;
      const start = new Date(day);
      const zoneOffset = -5; // arrivals peak in New York's working hours (the sample org's inbound team)
      const moments = arrivals({ count: opts.mqls, seed, start, days: opts.days ?? 91, utcOffsetHours: zoneOffset });
      const ids: string[] = [];
      for (const [i, at] of moments.entries()) {
        const delay = at.getTime() - (await env.currentTimeMs());
        if (delay > 0) await env.sleep(delay);
        const contactId = `sim${seed}-${i}`;
        world.leads.set(contactId, syntheticLead({ seed, index: i, contactId, at, config }));
        const workflowId = handoffWorkflowId('hubspot', contactId);
        ids.push(workflowId);
        await env.client.workflow.start(HANDOFF_WORKFLOW_TYPE, {
          taskQueue,
          workflowId,
          args: [{ source: 'hubspot', contactId, trigger: { kind: 'property_change', at: at.toISOString() } }],
        });
        if ((i + 1) % 250 === 0)
          log(`${i + 1}/${moments.length} MQLs in, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
      const tail = SETTLE_DAYS * DAY_MS + parseDurationMs(config.rejection.renurtureDelay);
      log(`all ${moments.length} MQLs in; running the ${Math.round(tail / DAY_MS)}-day tail`);
      await env.sleep(tail);
      const until = new Date(await env.currentTimeMs());

      const finals = await mapLimited(ids, 50, (id) => env.client.workflow.getHandle(id).query(statusQuery));
      const statuses = new Map<string, HandoffStatus>(lastDecided);
      for (const s of finals) statuses.set(`${s.workflowId}#${s.cycle}`, s);
      const records = [...statuses.values()].map((st) =>
        recordOf(st, {
          rep: lastBriefedTo.get(st.workflowId) ?? null,
          source: world.leads.get(st.contactId)?.source ?? null,
        }),
      );
      const window = { start, end: until };
      const figureOpts = { now: until, dropAfterMs: parseDurationMs(config.health.dropAfter) };
      const figures = healthFigures(records, window, figureOpts);
      const reps = [...new Set(records.map((r) => r.rep ?? 'unknown'))].sort();
      const byRep = Object.fromEntries(
        reps.map((rep) => [
          rep,
          healthFigures(
            records.filter((r) => (r.rep ?? 'unknown') === rep),
            window,
            figureOpts,
          ),
        ]),
      );
      const spread = [...world.assignments]
        .map(([ownerId, assignments]) => ({
          repId: repByCrmOwnerId(config, config.salesCrm, ownerId)?.id ?? managerIdOf(config, ownerId) ?? ownerId,
          assignments,
        }))
        .sort((a, b) => b.assignments - a.assignments || a.repId.localeCompare(b.repId));
      return {
        mqls: moments.length,
        seed,
        from: moments[0]?.toISOString() ?? start.toISOString(),
        to: moments.at(-1)?.toISOString() ?? start.toISOString(),
        until: until.toISOString(),
        figures,
        byRep,
        spread,
        seconds: (Date.now() - started) / 1000,
      };
    });
  } finally {
    await env.teardown();
  }
}

function salesOwnerIdOf(config: OrgConfig, personId: string): string | undefined {
  const person = findRep(config, personId)?.rep ?? config.managers.find((m) => m.id === personId);
  return person?.crmOwnerIds[config.salesCrm];
}

function managerIdOf(config: OrgConfig, ownerId: string): string | null {
  return config.managers.find((m) => m.crmOwnerIds[config.salesCrm] === ownerId)?.id ?? null;
}

/** One handoff cycle's record, from its status (a rejected lead's status names no owner: `rep` says who had it). */
export function recordOf(s: HandoffStatus, known: { rep: string | null; source: string | null }): HandoffRecord {
  const recycledAt = s.timeline.find((e) => e.kind === 'recycled')?.at ?? null;
  return {
    workflowId: s.workflowId,
    cycle: s.cycle,
    stage: s.stage,
    mqlAt: s.mqlAt,
    firstTouchAt: s.firstTouchAt,
    slaDueAt: s.slaDueAt,
    slaMissedBy: s.slaMissedBy,
    rejectReason: s.rejectReason,
    rep: s.owner?.repId ?? known.rep,
    team: s.team,
    leadType: s.leadType,
    source: known.source,
    closedAt: s.stage === 'recycled' ? recycledAt : null,
  };
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const silentLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: console.error,
};

let runtimeInstalled = false;
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} },
      },
    });
  } catch {
    // Already installed by the host process.
  }
}
