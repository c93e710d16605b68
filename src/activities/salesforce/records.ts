/**
 * Small helpers the Salesforce adapters share: SOQL literals and the lookups built on them, idempotency-key values,
 * id checks, the lead → Lead/Contact field mapping and dates in the rep's time zone.
 */
import { createHash } from 'node:crypto';
import type { Connection } from 'jsforce';
import type { LeadSnapshot } from '../../domain/lead';
import { describeServiceFailure, ServiceError } from '../service-error';

// ---------------------------------------------------------------------------------------------------------------
// SOQL literals. Every value that reaches a query goes through one of these (SOQL injection).
// ---------------------------------------------------------------------------------------------------------------

const SOQL_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function escapeSoql(value: string): string {
  return value.replace(/[\\'"\n\r\t\b\f]/g, (c) => SOQL_ESCAPES[c]!);
}

/** A quoted SOQL string literal for `=`, `!=` and `IN`: `O'Brien` → `'O\'Brien'`. */
export function soqlString(value: string): string {
  return `'${escapeSoql(value)}'`;
}

/** A LIKE pattern matching `value` anywhere, its own `%` and `_` taken literally: `a_b` → `'%a\_b%'`. */
export function soqlContains(value: string): string {
  return `'%${escapeSoql(value).replace(/[%_]/g, (c) => `\\${c}`)}%'`;
}

/** The records a SOQL query answers (the adapters' queries are LIMITed to one page). */
export async function queryRecords<T>(conn: Connection, soql: string): Promise<T[]> {
  return (await conn.query(soql)).records as T[];
}

/** Id of the record of `object` whose `keyField` holds the stored key value, if any. */
export async function idByKey(
  conn: Connection,
  object: 'Opportunity' | 'Task',
  keyField: string,
  keyValue: string,
): Promise<string | undefined> {
  const [row] = await queryRecords<{ Id: string }>(
    conn,
    `SELECT Id FROM ${object} WHERE ${keyField} = ${soqlString(keyValue)} LIMIT 1`,
  );
  return row?.Id;
}

// ---------------------------------------------------------------------------------------------------------------
// Idempotency keys
// ---------------------------------------------------------------------------------------------------------------

const URL_SAFE_KEY = /^[A-Za-z0-9_:-]{1,255}$/;

/**
 * The value stored in the Handoff_Key__c fields for a caller's idempotency key: the key itself when it is safe in a
 * REST URL path (upsert by external id puts it there; Salesforce mis-routes values containing "/" or "."), else a
 * SHA-256 digest of it. Deterministic, so a retry finds what the first attempt wrote.
 */
export function handoffKeyValue(key: string): string {
  return URL_SAFE_KEY.test(key) ? key : `sha256-${createHash('sha256').update(key).digest('hex')}`;
}

/** The stored value of the caller's idempotency key; a missing or blank key is refused before sending. */
export function requireHandoffKey(operation: string, key: unknown): string {
  if (typeof key !== 'string' || key.trim() === '') {
    throw invalidInput(operation, 'key', key, 'a non-empty idempotency key');
  }
  return handoffKeyValue(key);
}

// ---------------------------------------------------------------------------------------------------------------
// Input checks: bad input is rejected before any request, as a non-retryable 400-class ServiceError.
// ---------------------------------------------------------------------------------------------------------------

/** An email address where an id or key belonged: personal data, so the error names the field but not the value. */
const EMAIL_ADDRESS = /[^\s@]+@[^\s@]+/;

export function invalidInput(operation: string, field: string, value: unknown, expected: string): ServiceError {
  const withheld = typeof value === 'string' && EMAIL_ADDRESS.test(value);
  const details = {
    service: 'salesforce' as const,
    operation,
    field,
    value: withheld ? undefined : value,
    status: 400,
    code: 'INVALID_INPUT',
  };
  const note = withheld ? ' (value withheld: may contain personal data)' : '';
  return new ServiceError(
    describeServiceFailure(details, `rejected before sending: expected ${expected}${note}`),
    details,
  );
}

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Whether `value` has the shape of a Salesforce record id (15 or 18 characters), of any object. */
export function isAnyRecordId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** Whether `value` is a Salesforce record id (15 or 18 characters) of one of the given key prefixes. */
export function isRecordId(value: unknown, ...prefixes: string[]): value is string {
  return isAnyRecordId(value) && prefixes.includes(value.slice(0, 3));
}

export const USER_PREFIX = '005';
export const QUEUE_PREFIX = '00G';
export const LEAD_PREFIX = '00Q';
export const CONTACT_PREFIX = '003';
export const TASK_PREFIX = '00T';
export const ACCOUNT_PREFIX = '001';
export const OPPORTUNITY_PREFIX = '006';

// ---------------------------------------------------------------------------------------------------------------
// Lead snapshot → Lead / Contact fields
// ---------------------------------------------------------------------------------------------------------------

export type SalesRecordType = 'Lead' | 'Contact';

/** What Salesforce stores when HubSpot has no value for a required field (Lead.LastName, Lead.Company). */
export const NOT_PROVIDED = '[not provided]';

export interface SalesRecordDefaults {
  leadSource: string;
  leadStatus: string;
}

function clip(value: string | null | undefined, max: number): string | undefined {
  const v = value?.trim();
  return v ? v.slice(0, max) : undefined;
}

/**
 * The lead's fields for its Salesforce Lead or Contact, without empty values (an upsert must not wipe what sales
 * entered). Text is clipped to Salesforce's standard field lengths.
 */
export function salesRecordFields(
  lead: LeadSnapshot,
  recordType: SalesRecordType,
  defaults: SalesRecordDefaults,
): Record<string, string> {
  const country = clip(lead.country ?? lead.company?.country, 80);
  const common = {
    FirstName: clip(lead.firstName, 40),
    LastName: clip(lead.lastName, 80),
    Email: clip(lead.email, 80),
    Title: clip(lead.jobTitle, 128),
    Phone: clip(lead.phone, 40),
    LeadSource: defaults.leadSource,
  };
  const fields =
    recordType === 'Lead'
      ? { ...common, Company: clip(lead.company?.name, 255), Country: country, Status: defaults.leadStatus }
      : { ...common, MailingCountry: country };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/** Required fields the lead has no value for: they get NOT_PROVIDED when the record is created. */
export function missingRequiredFields(fields: Record<string, string>, recordType: SalesRecordType): string[] {
  const required = recordType === 'Lead' ? ['LastName', 'Company'] : ['LastName'];
  return required.filter((f) => fields[f] === undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------------

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function dateInZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(instant)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}
