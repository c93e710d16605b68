/**
 * The demo org behind the sandbox: the reps of config/handoff.config.yaml as Salesforce users (with the ids the
 * config gives them), the integration user the connected app runs as, an inactive former rep, the "Marketing
 * Nurture" queue rejected leads go to, the custom notification type for mobile push, and two accounts:
 * Initrode (initrode.example) with an open opportunity owned by Farid Haddad — the dedupe scenario — and Globex
 * whose only opportunity is closed.
 */
import { findRep } from '../../domain/org';
import type { OrgConfig } from '../../domain/org-config';
import type { SalesforceOrg } from './org';

export const SANDBOX_ORG_ID = '00D5g00000AcmeAAAA';
export const SANDBOX_INTEGRATION_USER_ID = '0055g00000IntgrAAA';
export const SANDBOX_INTEGRATION_USERNAME = 'mql-handoff@acme-analytics.example';
export const SANDBOX_INACTIVE_USER_ID = '0055g00000FormrAAA';
export const SANDBOX_NURTURE_QUEUE_ID = '00G5g00000MktNuAAA';
/** Used when the configuration names no notification type. */
export const SANDBOX_NOTIFICATION_TYPE_ID = '0MLxx0000004C92GAE';

function splitName(name: string): { FirstName: string | null; LastName: string } {
  const parts = name.trim().split(/\s+/);
  const last = parts.pop() ?? name;
  return { FirstName: parts.length > 0 ? parts.join(' ') : null, LastName: last };
}

function isoDate(daysFromNow: number, now: Date): string {
  return new Date(now.getTime() + daysFromNow * 86_400_000).toISOString().slice(0, 10);
}

export function seedDemoOrg(org: SalesforceOrg, config: OrgConfig, now: Date = new Date()): void {
  org.seed(
    'User',
    {
      Username: SANDBOX_INTEGRATION_USERNAME,
      FirstName: 'MQL Handoff',
      LastName: 'Integration',
      Email: SANDBOX_INTEGRATION_USERNAME,
      IsActive: true,
    },
    SANDBOX_INTEGRATION_USER_ID,
  );
  for (const team of config.teams) {
    for (const rep of team.reps) {
      const id = rep.crmOwnerIds.salesforce;
      if (!id) continue;
      org.seed('User', { Username: rep.email, Email: rep.email, IsActive: true, ...splitName(rep.name) }, id);
    }
  }
  org.seed(
    'User',
    {
      Username: 'former.rep@acme-analytics.example',
      Email: 'former.rep@acme-analytics.example',
      FirstName: 'Former',
      LastName: 'Rep',
      IsActive: false,
    },
    SANDBOX_INACTIVE_USER_ID,
  );
  org.seed(
    'Group',
    { Name: 'Marketing Nurture', DeveloperName: 'Marketing_Nurture', Type: 'Queue' },
    SANDBOX_NURTURE_QUEUE_ID,
  );
  org.seed(
    'CustomNotificationType',
    { DeveloperName: 'MQL_Handoff', CustomNotifTypeName: 'MQL handoff', Mobile: true, Desktop: true },
    config.salesforce.notificationTypeId ?? SANDBOX_NOTIFICATION_TYPE_ID,
  );

  const farid = userIdOf(config, 'rep-farid');
  const hugo = userIdOf(config, 'rep-hugo');
  const initrode = org.seed('Account', {
    Name: 'Initrode',
    Website: 'https://www.initrode.example',
    Industry: 'Software',
    NumberOfEmployees: 450,
    BillingCountry: 'US',
    OwnerId: farid,
  });
  org.seed('Opportunity', {
    Name: 'Initrode — Analytics Platform',
    StageName: 'Needs Analysis',
    CloseDate: isoDate(60, now),
    AccountId: initrode,
    OwnerId: farid,
  });
  const globex = org.seed('Account', {
    Name: 'Globex',
    Website: 'globex.example',
    Industry: 'Manufacturing',
    NumberOfEmployees: 1200,
    BillingCountry: 'US',
    OwnerId: hugo,
  });
  org.seed('Opportunity', {
    Name: 'Globex — Renewal',
    StageName: 'Closed Won',
    CloseDate: isoDate(-30, now),
    AccountId: globex,
    OwnerId: hugo,
  });
}

function userIdOf(config: OrgConfig, repId: string): string {
  return findRep(config, repId)?.rep.crmOwnerIds.salesforce ?? SANDBOX_INTEGRATION_USER_ID;
}
