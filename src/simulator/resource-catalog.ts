/**
 * The vocabulary of a workspace's resources: sources, warehouses, spaces and functions
 * with the catalogue entries (integration kinds) they are built from, and the label
 * catalogue. Static data only. Catalogue ids are fixed strings because in Segment they
 * are global (the same for every workspace), unlike instance ids.
 */

/** A catalogue entry: what `metadata` of a SourceV1 or WarehouseV1 describes. */
export interface CatalogKind {
  id: string;
  name: string;
  slug: string;
  description: string;
  categories: readonly string[];
  isCloudEventSource: boolean;
}

const kind = (
  id: string,
  name: string,
  description: string,
  categories: readonly string[] = [],
  isCloudEventSource = false,
): CatalogKind => ({
  id,
  name,
  slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
  description,
  categories,
  isCloudEventSource,
});

const IOS = kind('9SZdRnHlcx', 'iOS', 'Track events from iOS apps.', ['Mobile']);
const ANDROID = kind('V6ynUvQgbc', 'Android', 'Track events from Android apps.', ['Mobile']);
const JAVASCRIPT = kind('IqDTy1TpoU', 'Javascript', 'Analytics.js for websites.', ['Website']);
const HTTP = kind('xqegKCQA0W', 'HTTP API', 'Send events to Segment over HTTP.', ['Server']);
const NODE = kind('yMbJnlo5lp', 'Node.js', 'Track events from Node.js servers.', ['Server']);
const CLOUD = (id: string, name: string, category: string) =>
  kind(id, name, `Collect ${name} objects as a cloud source.`, [category], true);

/** Source instances: the name a workspace gave each, and the catalogue entry it uses. */
export const SOURCES: readonly { name: string; kind: CatalogKind }[] = [
  { name: 'iOS App', kind: IOS },
  { name: 'Android App', kind: ANDROID },
  { name: 'Website', kind: JAVASCRIPT },
  { name: 'Checkout Service', kind: NODE },
  { name: 'Salesforce', kind: CLOUD('ja3Lc2y0D5', 'Salesforce', 'CRM') },
  { name: 'Zendesk', kind: CLOUD('DsCQ0Pij04', 'Zendesk', 'Helpdesk') },
  { name: 'Stripe', kind: CLOUD('Nfg2Nnd6Vm', 'Stripe', 'Payments') },
  { name: 'HubSpot', kind: CLOUD('e2bGwRv2Gp', 'HubSpot', 'CRM') },
  { name: 'Backend Events', kind: HTTP },
  { name: 'Marketing Site', kind: JAVASCRIPT },
  { name: 'Mobile Web', kind: JAVASCRIPT },
  { name: 'Kafka Bridge', kind: HTTP },
  { name: 'Braze Currents', kind: HTTP },
];

/** Warehouse instances: their own name (settings.name) and the catalogue entry (metadata). */
export const WAREHOUSES: readonly { name: string; kind: CatalogKind }[] = [
  { name: 'Snowflake Prod', kind: kind('55d3d3aea3c', 'Snowflake', 'Snowflake data warehouse.') },
  { name: 'BigQuery Marketing', kind: kind('55d3d3aea3d', 'BigQuery', 'Google BigQuery data warehouse.') },
  { name: 'Redshift Legacy', kind: kind('55d3d3aea3e', 'Redshift', 'Amazon Redshift data warehouse.') },
  { name: 'Postgres DW', kind: kind('55d3d3aea3f', 'Postgres', 'PostgreSQL as a data warehouse.') },
];

export const SPACE_NAMES: readonly string[] = ['Production', 'Staging', 'B2B Accounts', 'Loyalty'];

export const FUNCTION_NAMES: readonly string[] = [
  'Webhook Enricher',
  'PII Scrubber',
  'Lead Router',
  'Geo Lookup',
  'Slack Alerts',
  'Order Normaliser',
];

export const ENVIRONMENTS: readonly string[] = ['prod', 'staging', 'dev'];

/** The workspace's label catalogue (`GET /labels`); sources carry some of these. */
export const LABELS: readonly { key: string; value: string; description: string }[] = [
  { key: 'environment', value: 'prod', description: 'Production data: customer-facing, audited.' },
  { key: 'environment', value: 'staging', description: 'Pre-release copies of production sources.' },
  { key: 'environment', value: 'dev', description: 'Development and test sources.' },
  { key: 'team', value: 'growth', description: 'Owned by the Growth team.' },
  { key: 'team', value: 'data', description: 'Owned by Data Engineering.' },
  { key: 'region', value: 'eu', description: 'Data of EU residents (GDPR scope).' },
];
