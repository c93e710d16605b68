/**
 * The organisation, as configuration: teams, reps, routing rules, the MQL definition, the ICP, the SLA
 * ladders, business calendars and the rejection picklist. Loaded from the file named by HANDOFF_CONFIG
 * (see src/config/org-config-file.ts), validated here, then handed to workflows through an activity so
 * every decision a workflow makes is recorded in its history.
 *
 * Every number in DOMAIN.md is a default here, not a constant in code.
 */
import { z } from 'zod';
import { isDuration } from './duration';
import { ENGAGEMENT_EVENT_TYPES, LEAD_TYPES } from './lead';
import { LEAD_FIELDS, REJECTION_REASONS, SLA_RUNGS, WEEKDAYS } from './vocabulary';
export * from './vocabulary';

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lower-case id (letters, digits, ".", "_", "-")');
const duration = z.string().refine(isDuration, { message: 'expected a duration such as "30m", "4h", "90d"' });
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day "HH:MM" (24 h)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date "YYYY-MM-DD"');
const isoDateTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO-8601 date or date-time' });
/** A Salesforce field API name: letters, digits and "_", starting with a letter (custom ones end in __c). */
const fieldApiName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a Salesforce field API name such as SQL_Date__c');
const picklistValue = z.string().trim().min(1, 'expected a picklist value (the API name, e.g. "Closed Lost")');
const stageName = z.string().trim().min(1, 'expected a deal stage id of the pipeline (e.g. "closedlost")');
const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as "America/New_York"' },
);

export const calendarSchema = z.object({
  id,
  timeZone,
  workingDays: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
  hours: z
    .object({ start: timeOfDay, end: timeOfDay })
    .refine((h) => h.start < h.end, { message: 'hours.start must be before hours.end' })
    .default({ start: '08:00', end: '17:00' }),
  holidays: z.array(isoDate).default([]),
});
export type BusinessCalendar = z.infer<typeof calendarSchema>;

const personSchema = z.object({
  id,
  name: z.string().min(1),
  email: z.string().email(),
  /** Slack user id (U…). When absent the Slack adapter looks the person up by email. */
  slackUserId: z.string().optional(),
  /** Escalations go by email as well as Slack. */
  prefersEmail: z.boolean().default(false),
  /** The person's user id in each CRM: HubSpot owner id, Salesforce user id (005…). Managers need one to own leads
   *  nobody on their team can take. */
  crmOwnerIds: z.object({ hubspot: z.string().optional(), salesforce: z.string().optional() }).default({}),
});
export type Person = z.infer<typeof personSchema>;

export const outOfOfficeSchema = z
  .object({ from: isoDateTime, to: isoDateTime })
  .refine((w) => Date.parse(w.from) < Date.parse(w.to), { message: 'out-of-office "from" must be before "to"' });

export const repSchema = personSchema.extend({
  /** Overrides the team calendar's zone for messages shown to this rep. */
  timeZone: timeZone.optional(),
  /** Most open MQLs this rep may hold at once. */
  capacity: z.number().int().min(1).default(25),
  outOfOffice: z.array(outOfOfficeSchema).default([]),
  /** Overrides the team's manager. */
  managerId: id.optional(),
});
export type Rep = z.infer<typeof repSchema>;

export const teamSchema = z.object({
  id,
  name: z.string().min(1),
  managerId: id,
  calendarId: id,
  reps: z.array(repSchema).min(1),
});
export type Team = z.infer<typeof teamSchema>;

/** Target of a routing rule: a whole team's round-robin, or a subset of its reps. */
const poolTarget = { teamId: id, repIds: z.array(id).optional() };

export const routingSchema = z.object({
  /** ABM: a named account always goes to its owner. */
  namedAccounts: z.array(z.object({ domain: z.string().min(3).toLowerCase(), repId: id })).default([]),
  territories: z
    .array(
      z.object({
        id,
        /** ISO 3166-1 alpha-2 codes or country names, matched case-insensitively. */
        countries: z.array(z.string().min(2)).min(1),
        regions: z.array(z.string()).optional(),
        ...poolTarget,
      }),
    )
    .default([]),
  sizeBands: z
    .array(
      z.object({
        id,
        minEmployees: z.number().int().min(0),
        maxEmployees: z.number().int().min(1).optional(),
        ...poolTarget,
      }),
    )
    .default([]),
  industries: z.array(z.object({ id, industries: z.array(z.string().min(1)).min(1), ...poolTarget })).default([]),
  defaultTeamId: id,
});
export type RoutingRules = z.infer<typeof routingSchema>;

export const mqlDefinitionSchema = z.object({
  fitThreshold: z.number().min(0).max(100).default(60),
  engagementThreshold: z.number().min(0).max(100).default(60),
  highIntent: z
    .object({
      /** Any one of these events makes the lead an MQL regardless of scores. */
      events: z.array(z.enum(ENGAGEMENT_EVENT_TYPES)).default(['demo_request', 'free_trial_start']),
      pricingPage: z
        .object({
          urlContains: z.string().min(1),
          minVisits: z.number().int().min(1),
          withinDays: z.number().int().min(1),
        })
        .default({ urlContains: '/pricing', minVisits: 3, withinDays: 7 }),
    })
    .default({}),
  requiredFields: z.array(z.enum(LEAD_FIELDS)).default(['email', 'company']),
});
export type MqlDefinition = z.infer<typeof mqlDefinitionSchema>;

export const icpSchema = z.object({
  /** Allowed countries (ISO-2 or names); empty = any. */
  countries: z.array(z.string()).default([]),
  minEmployees: z.number().int().min(0).optional(),
  maxEmployees: z.number().int().min(1).optional(),
  /** Allowed industries; empty = any. */
  industries: z.array(z.string()).default([]),
  excludedIndustries: z.array(z.string()).default([]),
  /** Case-insensitive words that disqualify a job title (e.g. student, intern). */
  titleDisqualifiers: z.array(z.string()).default(['student', 'intern']),
  freeMailDomains: z
    .array(z.string())
    .default(['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com', 'icloud.com', 'proton.me', 'gmx.com']),
  competitorDomains: z.array(z.string()).default([]),
});
export type IcpFilter = z.infer<typeof icpSchema>;

export const rungSchema = z.object({
  rung: z.enum(SLA_RUNGS),
  after: duration,
  /**
   * `business` (the default): only working time counts — the assignee's team calendar (working days, hours,
   * holidays) in the rep's own time zone where set. `elapsed`: wall-clock time, for a rung that must fire at night.
   */
  clock: z.enum(['elapsed', 'business']).default('business'),
  /** Measured from the current rep's assignment (restarts on reassignment) or from the MQL moment. */
  from: z.enum(['assignment', 'mql']).default('assignment'),
});
export type SlaRungConfig = z.infer<typeof rungSchema>;

export const DEFAULT_RUNGS: SlaRungConfig[] = [
  { rung: 'reminder', after: '30m', clock: 'business', from: 'assignment' },
  { rung: 'manager_escalation', after: '2h', clock: 'business', from: 'assignment' },
  { rung: 'reassignment', after: '4h', clock: 'business', from: 'assignment' },
  { rung: 'vp_review', after: '24h', clock: 'business', from: 'mql' },
];

export const ladderSchema = z.object({
  /** First-touch SLA in business hours of the team's calendar: the task due date and `SlaDueAt`. */
  firstTouchWithin: duration,
  rungs: z
    .array(rungSchema)
    .min(1)
    .default(DEFAULT_RUNGS)
    .refine((rs) => new Set(rs.map((r) => r.rung)).size === rs.length, { message: 'each rung may appear once' }),
});
export type SlaLadder = z.infer<typeof ladderSchema>;

export const slaSchema = z.object({
  ladders: z.object({
    demo_request: ladderSchema.default({ firstTouchWithin: '4h' }),
    behavioral: ladderSchema.default({ firstTouchWithin: '24h' }),
    outbound: ladderSchema.default({ firstTouchWithin: '48h' }),
  }),
  /** How many times the ladder may hand a lead to the next rep before it only escalates. */
  maxReassignments: z.number().int().min(0).default(1),
  /** After first touch: how long sales may sit on accept/reject before the manager, then the VP, hears. */
  decision: z
    .object({
      escalateAfter: duration.default('2d'),
      reviewAfter: duration.default('5d'),
      clock: z.enum(['elapsed', 'business']).default('business'),
    })
    .default({}),
});
export type SlaPolicy = z.infer<typeof slaSchema>;

export const rejectionSchema = z.object({
  reasons: z
    .array(
      z.object({
        reason: z.enum(REJECTION_REASONS),
        label: z.string().min(1),
        /** HubSpot list (ILS list id) the contact joins for this reason's re-nurture track. */
        nurtureListId: z.string().min(1),
        /** Lead status written back with the rejection. */
        leadStatus: z.enum(['UNQUALIFIED', 'BAD_TIMING']).default('UNQUALIFIED'),
        /** Re-evaluate after `renurtureDelay` and hand off again if still qualified. */
        reevaluate: z.boolean().default(false),
      }),
    )
    .min(1)
    .refine((rs) => new Set(rs.map((r) => r.reason)).size === rs.length, { message: 'each reason may appear once' }),
  renurtureDelay: duration.default('90d'),
});
export type RejectionPolicy = z.infer<typeof rejectionSchema>;

/** The five handoff-health metrics' targets and the weekly digest (src/domain/handoff-health.ts). */
export const healthSchema = z.object({
  targets: z
    .object({
      /** Median MQL → first touch, minutes: below this. */
      speedToContactMinutes: z.number().positive().default(10),
      /** Leads first touched within their SLA, %: above this. */
      slaCompliancePct: z.number().min(0).max(100).default(95),
      /** MQLs accepted as SQLs, %: above this. */
      acceptancePct: z.number().min(0).max(100).default(60),
      /** Rejections above this share of MQLs mean the scoring needs calibration, %. */
      rejectionCalibrationPct: z.number().min(0).max(100).default(30),
      /** MQLs without rep activity 48 h after MQL, %: below this. */
      dropPct: z.number().min(0).max(100).default(2),
      /** Re-nurtured leads that hand off again and are accepted, %: above this. */
      recycleConversionPct: z.number().min(0).max(100).default(10),
    })
    .default({}),
  /** No rep activity this long after the MQL counts as dropped. */
  dropAfter: duration.default('48h'),
  digest: z
    .object({
      /** Cron of the weekly digest's Temporal Schedule, in `timeZone` (default Monday 08:00). */
      cron: z.string().min(9).default('0 8 * * MON'),
      /** Zone of the cron and of the week boundaries (the VP's). */
      timeZone: timeZone.default('America/New_York'),
      /** Slack channel the digest is posted to; the reviewer's channel when absent. */
      slackChannel: z.string().optional(),
      /** Who gets the HTML email; the reviewer when empty. */
      emailTo: z.array(z.string().email()).default([]),
    })
    .default({}),
});
export type HealthPolicy = z.infer<typeof healthSchema>;

export const orgConfigSchema = z.object({
  organization: z.string().min(1),
  /** The sales CRM: where owner, task and deal/opportunity live. HubSpot is always the marketing system. */
  salesCrm: z.enum(['hubspot', 'salesforce']).default('hubspot'),
  calendars: z.array(calendarSchema).min(1),
  managers: z.array(personSchema).min(1),
  /** VP of Sales / RevOps reviewer. */
  reviewer: personSchema.extend({ slackChannel: z.string().optional() }),
  teams: z.array(teamSchema).min(1),
  routing: routingSchema,
  mql: mqlDefinitionSchema.default({}),
  icp: icpSchema.default({}),
  sla: slaSchema,
  rejection: rejectionSchema,
  health: healthSchema.default({}),
  priority: z
    .object({
      /** What makes a lead high priority (mobile push, "high" in the brief). */
      highWhen: z
        .array(z.enum(['high_intent', 'named_account', 'demo_request']))
        .default(['high_intent', 'named_account']),
    })
    .default({}),
  hubspot: z
    .object({
      portalId: z.string().default('0'),
      appBaseUrl: z.string().url().default('https://app.hubspot.com'),
      pipelineId: z.string().default('default'),
      mqlDealStageId: z.string().default('appointmentscheduled'),
      /** Stage of `pipelineId` the handoff's deal moves to when sales accepts; absent: the deal stays where it is. */
      acceptedDealStageId: stageName.optional(),
      /** Closed-lost stage of `pipelineId`: the handoff's deal goes there when sales rejects the lead. */
      closedLostDealStageId: stageName.default('closedlost'),
    })
    .default({}),
  salesforce: z
    .object({
      recordType: z.enum(['Lead', 'Contact']).default('Lead'),
      /** External id field on Lead/Contact holding the HubSpot contact id. */
      externalIdField: z.string().default('HubSpot_Contact_Id__c'),
      /** CustomNotificationType id for mobile push (0ML…). */
      notificationTypeId: z.string().optional(),
      /**
       * Lead.Status values the handoff writes, from Salesforce's standard Lead Status picklist by default. `accepted`
       * is an open status (the SQL date marks the lead qualified); `converted` must be a converted status
       * (LeadStatus.IsConverted), used only with `convertOnAccept`. Contacts have no Status: unused for them.
       */
      leadStatuses: z
        .object({
          assigned: picklistValue.default('Open - Not Contacted'),
          firstTouch: picklistValue.default('Working - Contacted'),
          accepted: picklistValue.default('Working - Contacted'),
          rejected: picklistValue.default('Closed - Not Converted'),
          converted: picklistValue.default('Closed - Converted'),
        })
        .default({}),
      /** On acceptance, convert the Lead (into a Contact on the matching Account, no new Opportunity). Lead only. */
      convertOnAccept: z.boolean().default(false),
      /** API names of the custom fields the handoff writes (see src/activities/salesforce/README.md). */
      fields: z
        .object({
          /** Picklist on the Lead/Contact: the rejection reason id. */
          rejectionReason: fieldApiName.default('Handoff_Rejection_Reason__c'),
          /** Date/Time on the Lead/Contact: when sales accepted. */
          sqlDate: fieldApiName.default('SQL_Date__c'),
          /** Picklist on the Opportunity: why the handoff closed it lost (the rejection reason id). */
          lossReason: fieldApiName.default('Loss_Reason__c'),
        })
        .default({}),
      opportunityStages: z
        .object({
          /** Stage the handoff's Opportunity moves to on acceptance; absent: it stays where it is. */
          accepted: picklistValue.optional(),
          /** Closed, not won, stage the handoff's Opportunity goes to on rejection. */
          closedLost: picklistValue.default('Closed Lost'),
        })
        .default({}),
    })
    .default({}),
  notifications: z
    .object({
      /** Email backup for every handoff brief, not only when Slack fails. */
      emailBackup: z.boolean().default(true),
      /** Mobile push for high-priority leads (Salesforce custom notification). */
      mobilePush: z.boolean().default(true),
    })
    .default({}),
  leadTypes: z
    .object({
      /** Lead types this deployment hands off; all by default. */
      enabled: z.array(z.enum(LEAD_TYPES)).default([...LEAD_TYPES]),
    })
    .default({}),
});

export type OrgConfig = z.infer<typeof orgConfigSchema>;
/** What the user writes (defaults not yet applied). */
export type OrgConfigInput = z.input<typeof orgConfigSchema>;

export class OrgConfigError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'OrgConfigError';
  }
}

/** Validates shape and cross-references (ids that point at teams, reps, managers, calendars). */
export function parseOrgConfig(raw: unknown, source = 'configuration'): OrgConfig {
  const parsed = orgConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    throw new OrgConfigError(
      `${source} is invalid:\n` + issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'),
      issues,
    );
  }
  const config = parsed.data;
  const issues = crossReferenceIssues(config);
  if (issues.length > 0) {
    throw new OrgConfigError(
      `${source} is invalid:\n` + issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'),
      issues,
    );
  }
  return config;
}

function crossReferenceIssues(c: OrgConfig): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const calendars = new Set(c.calendars.map((x) => x.id));
  const managers = new Set(c.managers.map((x) => x.id));
  const teams = new Map(c.teams.map((t) => [t.id, t]));
  const reps = new Map<string, string>();
  const dup = (kind: string, values: string[], path: string): void => {
    const seen = new Set<string>();
    values.forEach((v, i) => {
      if (seen.has(v)) issues.push({ path: `${path}.${i}.id`, message: `duplicate ${kind} id "${v}"` });
      seen.add(v);
    });
  };
  dup(
    'calendar',
    c.calendars.map((x) => x.id),
    'calendars',
  );
  dup(
    'manager',
    c.managers.map((x) => x.id),
    'managers',
  );
  dup(
    'team',
    c.teams.map((x) => x.id),
    'teams',
  );
  c.teams.forEach((t, ti) => {
    if (!managers.has(t.managerId))
      issues.push({
        path: `teams.${ti}.managerId`,
        message: `unknown manager "${t.managerId}"; expected one of managers[].id`,
      });
    if (!calendars.has(t.calendarId))
      issues.push({
        path: `teams.${ti}.calendarId`,
        message: `unknown calendar "${t.calendarId}"; expected one of calendars[].id`,
      });
    t.reps.forEach((r, ri) => {
      if (reps.has(r.id))
        issues.push({
          path: `teams.${ti}.reps.${ri}.id`,
          message: `rep "${r.id}" is already in team "${reps.get(r.id)}"`,
        });
      reps.set(r.id, t.id);
      if (r.managerId && !managers.has(r.managerId))
        issues.push({ path: `teams.${ti}.reps.${ri}.managerId`, message: `unknown manager "${r.managerId}"` });
      if (c.salesCrm === 'salesforce' && !r.crmOwnerIds.salesforce)
        issues.push({
          path: `teams.${ti}.reps.${ri}.crmOwnerIds.salesforce`,
          message: 'required when salesCrm is "salesforce"',
        });
      if (c.salesCrm === 'hubspot' && !r.crmOwnerIds.hubspot)
        issues.push({
          path: `teams.${ti}.reps.${ri}.crmOwnerIds.hubspot`,
          message: 'required when salesCrm is "hubspot"',
        });
    });
  });
  const checkPool = (path: string, teamId: string, repIds?: string[]): void => {
    const team = teams.get(teamId);
    if (!team) {
      issues.push({ path: `${path}.teamId`, message: `unknown team "${teamId}"; expected one of teams[].id` });
      return;
    }
    repIds?.forEach((r, i) => {
      if (!team.reps.some((x) => x.id === r))
        issues.push({ path: `${path}.repIds.${i}`, message: `rep "${r}" is not in team "${teamId}"` });
    });
  };
  c.routing.namedAccounts.forEach((a, i) => {
    if (!reps.has(a.repId))
      issues.push({ path: `routing.namedAccounts.${i}.repId`, message: `unknown rep "${a.repId}"` });
  });
  c.routing.territories.forEach((t, i) => checkPool(`routing.territories.${i}`, t.teamId, t.repIds));
  c.routing.sizeBands.forEach((b, i) => {
    checkPool(`routing.sizeBands.${i}`, b.teamId, b.repIds);
    if (b.maxEmployees !== undefined && b.maxEmployees < b.minEmployees)
      issues.push({ path: `routing.sizeBands.${i}.maxEmployees`, message: 'must be ≥ minEmployees' });
  });
  c.routing.industries.forEach((b, i) => checkPool(`routing.industries.${i}`, b.teamId, b.repIds));
  if (!teams.has(c.routing.defaultTeamId))
    issues.push({ path: 'routing.defaultTeamId', message: `unknown team "${c.routing.defaultTeamId}"` });
  if (c.salesforce.convertOnAccept && c.salesforce.recordType !== 'Lead')
    issues.push({
      path: 'salesforce.convertOnAccept',
      message: 'needs salesforce.recordType "Lead": only a Lead can be converted',
    });
  const reasons = new Set(c.rejection.reasons.map((r) => r.reason));
  for (const r of ['timing_not_right'] as const) {
    if (!reasons.has(r)) issues.push({ path: 'rejection.reasons', message: `the picklist must include "${r}"` });
  }
  return issues;
}
