/**
 * What the CRM adapter tests share: the sample org, the ServiceError a failed call must end in, reading a HubSpot
 * demo contact, and for Salesforce the lead they hand off (Dana Ito at Initrode, the seeded org's dedupe scenario)
 * and adapter options against the emulator for each OAuth flow.
 */
import type { MarketingCrm } from '../../src/activities/ports';
import type { SalesforceAdapterOptions } from '../../src/activities/salesforce';
import { ServiceError } from '../../src/activities/service-error';
import { loadOrgConfigFile, resolveOrgConfigPath } from '../../src/config/org-config-file';
import type { LeadSnapshot } from '../../src/domain/lead';
import type { OrgConfig } from '../../src/domain/org-config';
import type { SalesforceEmulator } from '../../src/sandbox/salesforce/emulator';
import { SANDBOX_NURTURE_QUEUE_ID } from '../../src/sandbox/salesforce/seed';

/** config/handoff.config.yaml. */
export const config: OrgConfig = loadOrgConfigFile(resolveOrgConfigPath());

/** The ServiceError `call` fails with; anything else (success included) fails the test. */
export async function serviceErrorOf(call: Promise<unknown>): Promise<ServiceError> {
  const outcome = await call.then(
    () => ({ failed: false as const }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  if (!outcome.failed) throw new Error('expected the call to fail with a ServiceError, but it succeeded');
  if (!(outcome.error instanceof ServiceError)) {
    throw new Error(`expected a ServiceError, got ${String(outcome.error)}`);
  }
  return outcome.error;
}

// ---------------------------------------------------------------------------------------------------------------
// HubSpot
// ---------------------------------------------------------------------------------------------------------------

/** A demo contact of the seeded portal, read through the adapter; a missing one fails the test. */
export async function demoLead(marketing: MarketingCrm, contactId: string): Promise<LeadSnapshot> {
  const lead = await marketing.getLead(contactId);
  if (!lead) throw new Error(`demo contact ${contactId} missing`);
  return lead;
}

// ---------------------------------------------------------------------------------------------------------------
// Salesforce
// ---------------------------------------------------------------------------------------------------------------

/** Salesforce user ids of reps in the sample org. */
export const ANA = '0055g00000AnaRuAAA'; // rep-ana, sdr-inbound, us-east calendar
export const BEN = '0055g00000BenCaAAA';
export const FARID = '0055g00000FarHaAAA'; // owns the seeded open Initrode opportunity
export const GRACE = '0055g00000GraKiAAA'; // rep-grace, Europe/London

/** Dana Ito, VP Operations at Initrode (initrode.example), HubSpot contact 5001. */
export function lead(overrides: Partial<LeadSnapshot> = {}): LeadSnapshot {
  return {
    contactId: '5001',
    email: 'dana.ito@initrode.example',
    firstName: 'Dana',
    lastName: 'Ito',
    jobTitle: 'VP Operations',
    phone: '+1 555 0100',
    country: 'US',
    region: null,
    lifecycleStage: 'marketingqualifiedlead',
    leadStatus: 'NEW',
    hubspotOwnerId: null,
    fitScore: 80,
    engagementScore: 70,
    sourcedBy: 'inbound',
    company: {
      id: '9001',
      name: 'Initrode',
      domain: 'initrode.example',
      employees: 450,
      industry: 'Software',
      country: 'US',
    },
    events: [],
    marketingNotes: [],
    hubspotUrl: null,
    ...overrides,
  };
}

/** Adapter options for the emulator: its connected app and nurture queue, without a grant yet. */
function emulatorOptions(emu: SalesforceEmulator): SalesforceAdapterOptions {
  return {
    loginUrl: emu.url,
    clientId: emu.credentials.clientId,
    clientSecret: emu.credentials.clientSecret,
    nurtureOwnerId: SANDBOX_NURTURE_QUEUE_ID,
    config,
  };
}

/** Adapter options for the emulator, refresh-token flow. */
export function refreshTokenOptions(
  emu: SalesforceEmulator,
  extra: Partial<SalesforceAdapterOptions> = {},
): SalesforceAdapterOptions {
  return { ...emulatorOptions(emu), refreshToken: emu.credentials.refreshToken, ...extra };
}

/** Adapter options for the emulator, username-password flow. */
export function passwordOptions(
  emu: SalesforceEmulator,
  extra: Partial<SalesforceAdapterOptions> = {},
): SalesforceAdapterOptions {
  return { ...emulatorOptions(emu), username: emu.credentials.username, password: emu.credentials.password, ...extra };
}

/** Both OAuth flows, for `describe.each`. */
export const OAUTH_FLOWS = [
  ['refresh-token flow', refreshTokenOptions],
  ['username-password flow', passwordOptions],
] as const;
