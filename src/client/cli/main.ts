/**
 * `handoff`: the ops CLI. Find stuck leads, read a lead's status and timeline, steer it (reassign, accept, reject,
 * log activity) and drive the sandbox (signed sample webhooks, clicks on the Slack DM).
 *
 *   handoff stuck [--team T] [--rep R] [--older-than 2h] [--json]
 *   handoff report [--week 2026-W48|this|last] [--volume-weeks 4] [--json]
 *   handoff status <lead> [--json]
 *   handoff reassign <lead> [--to <rep>] --reason "…"
 *   handoff accept <lead> --as <rep>
 *   handoff reject <lead> --as <rep> --reason <picklist value>
 *   handoff activity <lead> --type call
 *   handoff simulate <scenario> | handoff simulate click <lead> --action accept|reject|reached-out
 *   handoff simulate quarter [--mqls 3000] [--seed 7] [--config f.yaml] [--compare a.yaml b.yaml] [--json]
 *
 * `<lead>` is the workflow id (mql-hubspot-1001) or the HubSpot contact id (1001). Exit codes: see cli-error.ts.
 * Temporal is reached like the worker reaches it: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*,
 * TEMPORAL_API_KEY; without TEMPORAL_ADDRESS, `npm start`'s dev server at localhost:TEMPORAL_DEV_PORT (7233). The
 * bridge: --bridge, else BRIDGE_URL, else `npm start`'s at http://localhost:BRIDGE_PORT (3000). `runCli` is the
 * whole program without process globals, for tests.
 */
import { Command, CommanderError, Option } from 'commander';
import { REP_ACTIVITY_TYPES } from '../../workflows/definitions';
import { CliError, EXIT } from './cli-error';
import { CliContext, processIo, type CliIo } from './cli-context';
import { acceptCommand, activityCommand, reassignCommand, rejectCommand, statusCommand } from './lead-commands';
import { CLICK_ACTION_NAMES, SCENARIO_NAMES, SCENARIOS, simulateClick, simulateScenario } from './simulate';
import { reportCommand } from './report';
import { simulateQuarterCommand } from './simulate-quarter';
import { stuckCommand } from './stuck';

export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const ctx = new CliContext({ ...processIo(), ...io });
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end the same way; every other parse error is a usage error.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof CliError) {
      ctx.io.err(`handoff: ${e.message}\n`);
      return e.exitCode;
    }
    ctx.io.err(`handoff: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.refused;
  } finally {
    await ctx.close();
  }
}

function buildProgram(ctx: CliContext): Command {
  const program = new Command('handoff')
    .description('Find and steer MQL handoffs running on Temporal, and drive the sandbox.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      '\n<lead> is a workflow id (mql-hubspot-1001) or a HubSpot contact id (1001).\n' +
        'Exit codes: 0 done, 1 refused by the workflow or the bridge, 2 bad input, 3 Temporal or the bridge unreachable.',
    );
  const json = (): Option => new Option('--json', 'print JSON instead of text');

  program
    .command('stuck')
    .description('running leads past their first-touch SLA or their decision deadline (visibility query)')
    .option('--team <team>', 'only this team (team id from the org config)')
    .option('--rep <rep>', 'only leads assigned to this rep (rep id)')
    .option('--older-than <duration>', 'only leads overdue by at least this long, e.g. 30m, 2h, 1d')
    .option('--limit <n>', 'at most this many leads', '500')
    .addOption(json())
    .action((opts) => stuckCommand(ctx, opts));

  program
    .command('report')
    .description('handoff health of an ISO week: the five metrics against their targets, and what needs attention')
    .option(
      '--week <week>',
      'an ISO week (2026-W48), "this" (the week so far) or "last" (the last full week), in the digest time zone',
      'this',
    )
    .option('--volume-weeks <n>', 'MQL volume for this many weeks up to the report week', '4')
    .addOption(json())
    .action((opts) => reportCommand(ctx, opts));

  program
    .command('status')
    .description("a lead's stage, owner, SLA rung, next deadline and full timeline (the status query)")
    .argument('<lead>', 'workflow id or HubSpot contact id')
    .addOption(json())
    .action((lead: string, opts) => statusCommand(ctx, lead, opts));

  program
    .command('reassign')
    .description('hand the lead to another rep (the reassign update)')
    .argument('<lead>', 'workflow id or HubSpot contact id')
    .option('--to <rep>', 'the new rep (default: the next available rep of the current team)')
    .requiredOption('--reason <text>', 'why, for the timeline and the notices')
    .option('--by <name>', 'who asks (default cli:<OS user>)')
    .addOption(json())
    .action((lead: string, opts) => reassignCommand(ctx, lead, opts));

  program
    .command('accept')
    .description('accept the lead on behalf of its owner (the accept update)')
    .argument('<lead>', 'workflow id or HubSpot contact id')
    .requiredOption('--as <rep>', 'the owning rep (rep id)')
    .option('--note <text>', 'a note for the timeline')
    .addOption(json())
    .action((lead: string, opts) => acceptCommand(ctx, lead, opts));

  program
    .command('reject')
    .description('reject the lead with a picklist reason (the reject update)')
    .argument('<lead>', 'workflow id or HubSpot contact id')
    .requiredOption('--as <rep>', 'the owning rep (rep id)')
    .requiredOption('--reason <value>', 'a rejection picklist value, e.g. timing_not_right')
    .option('--note <text>', 'a note for the timeline')
    .addOption(json())
    .action((lead: string, opts) => rejectCommand(ctx, lead, opts));

  program
    .command('activity')
    .description('record rep activity, which stops the SLA ladder (the repActivity signal)')
    .argument('<lead>', 'workflow id or HubSpot contact id')
    .requiredOption('--type <type>', `one of ${REP_ACTIVITY_TYPES.join(', ')}`)
    .option('--as <rep>', 'the rep who acted (rep id)')
    .addOption(json())
    .action((lead: string, opts) => activityCommand(ctx, lead, opts));

  const simulate = program
    .command('simulate')
    .description('send signed sample webhooks to the bridge for the sandbox demo contacts, or click a DM button')
    .addHelpText('after', `\nBridge: --bridge or BRIDGE_URL (default http://localhost:<BRIDGE_PORT or 3000>).`);
  for (const scenario of SCENARIO_NAMES) {
    simulate
      .command(scenario)
      .description(`contact ${SCENARIOS[scenario].contactId}: ${SCENARIOS[scenario].summary}`)
      .option('--bridge <url>', 'the bridge (default BRIDGE_URL or http://localhost:<BRIDGE_PORT or 3000>)')
      .option(
        '--secret <secret>',
        'HubSpot client secret to sign with (default HUBSPOT_CLIENT_SECRET or the sandbox one)',
      )
      .addOption(json())
      .action((opts) => simulateScenario(ctx, scenario, opts));
  }
  simulate
    .command('quarter')
    .description('a simulated quarter of MQLs through the real workflows on a time-skipping server: the five metrics')
    .option('--mqls <n>', 'how many MQLs arrive over the quarter', '3000')
    .option('--seed <n>', 'the random seed (same seed, same quarter)', '7')
    .option('--config <file>', 'the organisation configuration to simulate (default HANDOFF_CONFIG or the sample)')
    .option('--compare <files...>', 'two configurations side by side on the same seed')
    .addOption(json())
    .action((opts) => simulateQuarterCommand(ctx, opts));
  simulate
    .command('click')
    .description('click a button on the handoff DM in the Slack emulator')
    .argument('<lead>', 'workflow id or HubSpot contact id')
    .addOption(new Option('--action <action>', 'which button').choices(CLICK_ACTION_NAMES).makeOptionMandatory())
    .option('--reason <value>', 'with --action reject: the picklist value to pick')
    .option('--as <rep>', 'click as this rep (default: the DM’s recipient)')
    .option('--slack-url <url>', 'the Slack emulator (default http://127.0.0.1:<SANDBOX_BASE_PORT + 3>)')
    .option('--bridge <url>', 'the bridge (default BRIDGE_URL or http://localhost:<BRIDGE_PORT or 3000>)')
    .option('--secret <secret>', 'Slack signing secret (default SLACK_SIGNING_SECRET or the sandbox one)')
    .addOption(json())
    .action((lead: string, opts) => simulateClick(ctx, lead, opts));

  return program;
}

/** The `handoff` binary (bin/handoff.js). */
export function main(argv: string[] = process.argv.slice(2)): void {
  void runCli(argv).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
