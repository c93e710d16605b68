/**
 * HubSpot adapters: the marketing CRM (always HubSpot) and HubSpot as the sales CRM, on the official client.
 * See README.md in this folder for scopes, properties and idempotency.
 */
import type { OrgConfig } from '../../domain/org-config';
import type { MarketingCrm, SalesCrm } from '../ports';
import { bindHubSpotApis, createHubSpotClient, type HubSpotConnectionOptions } from './hubspot-client';
import { HubSpotMarketingCrm } from './marketing-crm';
import { HubSpotSalesCrm } from './sales-crm';

export { ensureCustomProperties, type SetupReport } from './setup';
export { createHubSpotClient, type HubSpotConnectionOptions } from './hubspot-client';
export { customPropertyDefinitions, CONTACT_PROPERTY, HANDOFF_KEY_PROPERTY } from './custom-properties';

export interface HubSpotAdapterOptions extends HubSpotConnectionOptions {
  config: OrgConfig;
}

export function createHubSpotAdapters(opts: HubSpotAdapterOptions): { marketing: MarketingCrm; sales: SalesCrm } {
  const apis = bindHubSpotApis(createHubSpotClient(opts));
  return {
    marketing: new HubSpotMarketingCrm(apis, opts.config),
    sales: new HubSpotSalesCrm(apis, opts.config),
  };
}
