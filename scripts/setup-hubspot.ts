/**
 * `npm run setup:hubspot`: creates the product's HubSpot property group and custom properties (contacts, deals,
 * tasks) in the portal HUBSPOT_ACCESS_TOKEN belongs to, when missing. Safe to rerun. HUBSPOT_BASE_URL points it
 * at another API origin (the sandbox emulator). Rejection-reason labels come from the org configuration.
 */
import { loadOrgConfigFile, resolveOrgConfigPath } from '../src/config/org-config-file';
import { createHubSpotClient, ensureCustomProperties, type SetupReport } from '../src/activities/hubspot';

export async function setupHubSpot(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.log,
): Promise<SetupReport> {
  const accessToken = env.HUBSPOT_ACCESS_TOKEN?.trim();
  if (!accessToken) {
    throw new Error(
      'HUBSPOT_ACCESS_TOKEN is not set: expected the private-app access token (scopes: src/activities/hubspot/README.md)',
    );
  }
  const config = loadOrgConfigFile(resolveOrgConfigPath(env));
  const client = createHubSpotClient({ accessToken, baseUrl: env.HUBSPOT_BASE_URL?.trim() || undefined });
  const report = await ensureCustomProperties(client, {
    rejectionLabels: Object.fromEntries(config.rejection.reasons.map((r) => [r.reason, r.label])),
  });
  for (const name of report.created) log(`created  ${name}`);
  for (const name of report.existing) log(`exists   ${name}`);
  return report;
}

if (require.main === module) {
  setupHubSpot().catch((e: unknown) => {
    console.error(`setup:hubspot failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
