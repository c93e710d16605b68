/**
 * The secrets the bridge checks requests with. In production every one must come from the environment and the
 * bridge refuses to start without it, naming the variable. Elsewhere a missing one falls back to the sandbox's
 * well-known value (the CLI's `simulate` signs with the same defaults) and the bridge says so at start-up.
 */
import { SANDBOX_ORG_ID } from '../../sandbox/salesforce/seed';

export const SANDBOX_HUBSPOT_CLIENT_SECRET = 'sandbox-hubspot-client-secret';
export const SANDBOX_SLACK_SIGNING_SECRET = 'sandbox-slack-signing-secret';

export interface BridgeSecrets {
  hubspotClientSecret: string;
  slackSigningSecret: string;
  salesforceOrgId: string;
}

export class MissingSecretError extends Error {
  constructor(readonly variables: string[]) {
    super(
      `the bridge will not start in production without ${variables.join(', ')}: set ${
        variables.length === 1 ? 'it' : 'them'
      } in the environment (the sandbox defaults are for development only)`,
    );
    this.name = 'MissingSecretError';
  }
}

const SECRETS = [
  { key: 'hubspotClientSecret', variable: 'HUBSPOT_CLIENT_SECRET', sandbox: SANDBOX_HUBSPOT_CLIENT_SECRET },
  { key: 'slackSigningSecret', variable: 'SLACK_SIGNING_SECRET', sandbox: SANDBOX_SLACK_SIGNING_SECRET },
  { key: 'salesforceOrgId', variable: 'SALESFORCE_ORG_ID', sandbox: SANDBOX_ORG_ID },
] as const;

/**
 * The secrets to use, and the variables that fell back to sandbox values (for the start-up log; never the
 * values). Throws MissingSecretError in production when any is missing.
 */
export function resolveBridgeSecrets(
  given: Partial<BridgeSecrets>,
  production: boolean,
): { secrets: BridgeSecrets; sandboxDefaults: string[] } {
  const missing = SECRETS.filter((s) => !given[s.key]);
  if (production && missing.length > 0) throw new MissingSecretError(missing.map((s) => s.variable));
  const secrets = Object.fromEntries(
    SECRETS.map((s) => [s.key, given[s.key] || s.sandbox]),
  ) as unknown as BridgeSecrets;
  return { secrets, sandboxDefaults: missing.map((s) => s.variable) };
}
