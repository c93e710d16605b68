/**
 * Who gets the lead. First rule that matches wins: the owner of an open deal on the account (dedupe) → named
 * account (ABM) → territory → company-size band → industry vertical → round-robin in the default team. Pure: the
 * caller looks up the open deal and turns the decision's pool into a claim on the team's roster.
 */
import { emailDomain, type LeadSnapshot } from './lead';
import { findRep, findTeam } from './org';
import type { OrgConfig, Rep, Team } from './org-config';
import type { RosterCandidate } from './round-robin';

export type RoutingRule = 'open_deal_owner' | 'named_account' | 'territory' | 'size_band' | 'industry' | 'round_robin';

export interface RouteDecision {
  rule: RoutingRule;
  /** The matching rule's id (territory, size band, industry), the named account's domain, or null. */
  ruleId: string | null;
  teamId: string;
  /** The direct owner (open-deal owner, named-account owner); null when the team's round-robin decides. */
  repId: string | null;
  /** The round-robin pool; for a direct owner, the owner's team (the fallback when the owner is unavailable). */
  candidateRepIds: string[];
  /** Plain words for the brief: why this rep. */
  explanation: string;
}

const numberFormat = new Intl.NumberFormat('en-US');

// ---------------------------------------------------------------------------------------------------------------
// Countries and domains: shared with the ICP check in qualification.ts
// ---------------------------------------------------------------------------------------------------------------

/** Names people type that are not the English display name of an ISO code. */
const COUNTRY_ALIASES: Record<string, string> = {
  usa: 'US',
  'u.s.': 'US',
  'u.s.a.': 'US',
  'united states of america': 'US',
  america: 'US',
  'u.k.': 'GB',
  britain: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  holland: 'NL',
  'the netherlands': 'NL',
  deutschland: 'DE',
  turkey: 'TR',
  'czech republic': 'CZ',
  'hong kong': 'HK',
  'south korea': 'KR',
  'ivory coast': 'CI',
};

let countryCodesByName: Map<string, string> | null = null;

/** ISO 3166-1 alpha-2 code as Intl canonicalises it: deprecated codes map to current ones (DD → DE, UK → GB). */
function canonicalRegion(code: string): string {
  const upper = code.toUpperCase();
  try {
    return /-([A-Z]{2})$/.exec(Intl.getCanonicalLocales(`und-${upper}`)[0] ?? '')?.[1] ?? upper;
  } catch {
    return upper;
  }
}

/** English region names (long and short forms) → ISO 3166-1 alpha-2, built once from Intl. */
function countryNameIndex(): Map<string, string> {
  if (countryCodesByName) return countryCodesByName;
  const index = new Map<string, string>(Object.entries(COUNTRY_ALIASES));
  const styles = ['long', 'short'] as const;
  const namers = styles.map((style) => new Intl.DisplayNames(['en'], { type: 'region', style, fallback: 'none' }));
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      for (const namer of namers) {
        const name = namer.of(code)?.toLowerCase();
        if (name && name !== code.toLowerCase() && !index.has(name)) index.set(name, canonicalRegion(code));
      }
    }
  }
  countryCodesByName = index;
  return index;
}

/**
 * A comparable key for a country written as an ISO-2 code or an English name: "de", "Germany" and "DE" → "DE";
 * "UK" → "GB". A name Intl does not know is kept, lower-cased, so it still matches itself.
 */
export function countryKey(value: string): string {
  const text = value.trim();
  if (/^[a-z]{2}$/i.test(text)) return canonicalRegion(text);
  const lower = text.toLowerCase();
  return countryNameIndex().get(lower) ?? lower;
}

export function countryIn(value: string, countries: readonly string[]): boolean {
  const key = countryKey(value);
  return countries.some((c) => countryKey(c) === key);
}

/** "https://www.Globex.example/about" → "globex.example"; null when empty. */
export function normalizeDomain(value: string | null | undefined): string | null {
  if (!value) return null;
  const host = value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/^www\./, '')
    .replace(/\.$/, '');
  return host || null;
}

/** True when `domain` is `parent` or one of its subdomains (eu.globex.example matches globex.example). */
export function domainMatches(domain: string, parent: string): boolean {
  const d = normalizeDomain(domain);
  const p = normalizeDomain(parent);
  return d !== null && p !== null && (d === p || d.endsWith(`.${p}`));
}

/** The lead's email domain and company domain, normalised, without duplicates. */
export function leadDomains(lead: LeadSnapshot): string[] {
  const domains = [emailDomain(lead.email), normalizeDomain(lead.company?.domain)];
  return [...new Set(domains.filter((d): d is string => d !== null))];
}

/** The named account (ABM) the lead's email or company domain belongs to, first in configuration order. */
export function findNamedAccount(
  lead: LeadSnapshot,
  config: OrgConfig,
): OrgConfig['routing']['namedAccounts'][number] | null {
  const domains = leadDomains(lead);
  return config.routing.namedAccounts.find((a) => domains.some((d) => domainMatches(d, a.domain))) ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// The routing decision
// ---------------------------------------------------------------------------------------------------------------

function text(value: string | null | undefined): string | null {
  const t = value?.trim();
  return t ? t : null;
}

function requireTeam(config: OrgConfig, teamId: string): Team {
  const team = findTeam(config, teamId);
  if (!team) {
    throw new Error(`unknown team "${teamId}"; expected one of: ${config.teams.map((t) => t.id).join(', ')}`);
  }
  return team;
}

function directOwner(
  config: OrgConfig,
  rule: 'open_deal_owner' | 'named_account',
  ruleId: string | null,
  repId: string,
  explain: (rep: Rep) => string,
): RouteDecision {
  const found = findRep(config, repId);
  if (!found) throw new Error(`rep "${repId}" is not in the configuration; expected one of teams[].reps[].id`);
  return {
    rule,
    ruleId,
    teamId: found.team.id,
    repId,
    candidateRepIds: found.team.reps.map((r) => r.id),
    explanation: explain(found.rep),
  };
}

function pool(
  config: OrgConfig,
  rule: Exclude<RoutingRule, 'open_deal_owner' | 'named_account'>,
  ruleId: string | null,
  target: { teamId: string; repIds?: string[] | undefined },
  because: string,
): RouteDecision {
  const team = requireTeam(config, target.teamId);
  const candidateRepIds = target.repIds?.length ? [...target.repIds] : team.reps.map((r) => r.id);
  const among = target.repIds?.length
    ? candidateRepIds.map((id) => team.reps.find((r) => r.id === id)?.name ?? id).join(', ')
    : null;
  const roundRobin = among ? `round-robin in ${team.name} among ${among}` : `round-robin in ${team.name}`;
  return { rule, ruleId, teamId: team.id, repId: null, candidateRepIds, explanation: `${because}: ${roundRobin}` };
}

function bandLabel(band: { minEmployees: number; maxEmployees?: number | undefined }): string {
  return band.maxEmployees === undefined ? `${band.minEmployees}+` : `${band.minEmployees}–${band.maxEmployees}`;
}

/**
 * Routes a qualified lead. `openDealOwnerRepId`: the rep (org-config id) who owns an open deal on the lead's
 * account, looked up by the caller in the sales CRM; that rep gets the lead and no second deal is created.
 */
export function decideRoute(
  lead: LeadSnapshot,
  config: OrgConfig,
  opts: { openDealOwnerRepId?: string | null } = {},
): RouteDecision {
  const { routing } = config;
  if (opts.openDealOwnerRepId) {
    return directOwner(
      config,
      'open_deal_owner',
      null,
      opts.openDealOwnerRepId,
      (rep) => `An open deal on this account is owned by ${rep.name}`,
    );
  }

  const account = findNamedAccount(lead, config);
  if (account) {
    return directOwner(
      config,
      'named_account',
      account.domain,
      account.repId,
      (rep) => `Named account ${account.domain} is owned by ${rep.name}`,
    );
  }

  const country = text(lead.company?.country) ?? text(lead.country);
  const region = text(lead.region);
  if (country) {
    const territory = routing.territories.find(
      (t) =>
        countryIn(country, t.countries) &&
        (!t.regions?.length ||
          (region !== null && t.regions.some((r) => r.trim().toLowerCase() === region.toLowerCase()))),
    );
    if (territory) {
      const where = territory.regions?.length ? `${region}, ${country}` : `Country ${country}`;
      return pool(config, 'territory', territory.id, territory, `${where} is in the ${territory.id} territory`);
    }
  }

  const employees = lead.company?.employees;
  if (typeof employees === 'number' && Number.isFinite(employees)) {
    const band = routing.sizeBands.find(
      (b) => employees >= b.minEmployees && (b.maxEmployees === undefined || employees <= b.maxEmployees),
    );
    if (band) {
      return pool(
        config,
        'size_band',
        band.id,
        band,
        `Company size ${numberFormat.format(employees)} is in the ${band.id} band (${bandLabel(band)})`,
      );
    }
  }

  const industry = text(lead.company?.industry);
  if (industry) {
    const vertical = routing.industries.find((v) =>
      v.industries.some((i) => i.trim().toLowerCase() === industry.toLowerCase()),
    );
    if (vertical) {
      return pool(config, 'industry', vertical.id, vertical, `Industry ${industry} is in the ${vertical.id} vertical`);
    }
  }

  return pool(config, 'round_robin', null, { teamId: routing.defaultTeamId }, 'No routing rule matched');
}

/** True when `now` falls inside one of the rep's out-of-office windows (from inclusive, to exclusive). */
export function isOutOfOffice(rep: Rep, now: Date): boolean {
  const t = now.getTime();
  return rep.outOfOffice.some((w) => Date.parse(w.from) <= t && t < Date.parse(w.to));
}

/**
 * The round-robin pool of `teamId` as the roster sees it at `now`, in pool order: `repIds` (every rep of the
 * team when empty), each with capacity and whether they are in the office.
 */
export function rosterCandidates(config: OrgConfig, teamId: string, repIds: string[], now: Date): RosterCandidate[] {
  const team = requireTeam(config, teamId);
  const ids = repIds.length > 0 ? repIds : team.reps.map((r) => r.id);
  return ids.map((repId) => {
    const rep = team.reps.find((r) => r.id === repId);
    if (!rep) {
      throw new Error(
        `rep "${repId}" is not in team "${teamId}"; expected one of: ${team.reps.map((r) => r.id).join(', ')}`,
      );
    }
    return { repId, capacity: rep.capacity, available: !isOutOfOffice(rep, now) };
  });
}
