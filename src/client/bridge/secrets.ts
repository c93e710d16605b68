/**
 * The secrets the bridge checks requests with. In production every one must come from the environment and the
 * bridge refuses to start without it, naming the variable. Elsewhere a missing one falls back to a development
 * value and the bridge says so at start-up (never the value): the two signing secrets to the well-known ones the
 * CLI's `simulate` signs with, the Salesforce org to the one the caller names (`npm start` passes its sandbox's).
 * A Salesforce org that nobody names stays unset: every outbound message is refused, saying so.
 */

export const SANDBOX_HUBSPOT_CLIENT_SECRET = 'sandbox-hubspot-client-secret';
export const SANDBOX_SLACK_SIGNING_SECRET = 'sandbox-slack-signing-secret';

export interface BridgeSecrets {
  hubspotClientSecret: string;
  slackSigningSecret: string;
  /** '' when unset outside production: no org may send outbound messages. */
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
  { key: 'hubspotClientSecret', variable: 'HUBSPOT_CLIENT_SECRET' },
  { key: 'slackSigningSecret', variable: 'SLACK_SIGNING_SECRET' },
  { key: 'salesforceOrgId', variable: 'SALESFORCE_ORG_ID' },
] as const;

const DEVELOPMENT_SECRETS: Partial<BridgeSecrets> = {
  hubspotClientSecret: SANDBOX_HUBSPOT_CLIENT_SECRET,
  slackSigningSecret: SANDBOX_SLACK_SIGNING_SECRET,
};

/**
 * The secrets to use; the variables that fell back to development values and those left unset (for the start-up
 * log; never the values). `development` adds to or overrides the built-in development values (a sandbox's).
 * Throws MissingSecretError in production when any is missing.
 */
export function resolveBridgeSecrets(
  given: Partial<BridgeSecrets>,
  production: boolean,
  development: Partial<BridgeSecrets> = {},
): { secrets: BridgeSecrets; sandboxDefaults: string[]; unset: string[] } {
  const missing = SECRETS.filter((s) => !given[s.key]);
  if (production && missing.length > 0) throw new MissingSecretError(missing.map((s) => s.variable));
  const fallback = { ...DEVELOPMENT_SECRETS, ...development };
  const secrets = Object.fromEntries(
    SECRETS.map((s) => [s.key, given[s.key] || fallback[s.key] || '']),
  ) as unknown as BridgeSecrets;
  return {
    secrets,
    sandboxDefaults: missing.filter((s) => fallback[s.key]).map((s) => s.variable),
    unset: missing.filter((s) => !fallback[s.key]).map((s) => s.variable),
  };
}
