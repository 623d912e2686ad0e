/**
 * The vocabulary of a simulated workspace: Segment's real role names (with the resource
 * type each is granted on), and names for people and teams. Static data only; resources are in
 * resource-catalog.ts.
 */

export interface RoleTemplate {
  name: string;
  description: string;
  /** The resource type this role is granted on; WORKSPACE roles cover the whole workspace. */
  scope: 'WORKSPACE' | 'SOURCE' | 'SPACE' | 'WAREHOUSE' | 'FUNCTION';
}

export const ROLE_TEMPLATES: readonly RoleTemplate[] = [
  {
    name: 'Workspace Owner',
    description:
      'Full read and edit access to everything in the workspace, including billing and team access.',
    scope: 'WORKSPACE',
  },
  {
    name: 'Workspace Member',
    description: 'Access to the workspace; what each member can see and edit is granted per resource.',
    scope: 'WORKSPACE',
  },
  {
    name: 'Source Admin',
    description: 'Edit access to assigned sources, their settings, schema and connected destinations.',
    scope: 'SOURCE',
  },
  {
    name: 'Source Read-only',
    description: 'Read-only access to assigned sources, their settings and connected destinations.',
    scope: 'SOURCE',
  },
  {
    name: 'Unify and Engage Admin',
    description: 'Edit access to assigned spaces: profiles, computed traits, audiences and journeys.',
    scope: 'SPACE',
  },
  {
    name: 'Unify and Engage Read-only',
    description: 'Read-only access to assigned spaces, including profiles and audiences.',
    scope: 'SPACE',
  },
  {
    name: 'Unify Read-only',
    description: 'Read-only access to Unify in assigned spaces, without profile PII.',
    scope: 'SPACE',
  },
  {
    name: 'Engage User',
    description: 'Create and edit audiences and journeys in assigned spaces, without space settings.',
    scope: 'SPACE',
  },
  {
    name: 'Warehouse Destination Admin',
    description: 'Edit access to assigned warehouse destinations and their sync schedules.',
    scope: 'WAREHOUSE',
  },
  {
    name: 'Warehouse Destination Read-only',
    description: 'Read-only access to assigned warehouse destinations.',
    scope: 'WAREHOUSE',
  },
  {
    name: 'Functions Admin',
    description: 'Create, edit and deploy source and destination functions.',
    scope: 'FUNCTION',
  },
  {
    name: 'Functions Read-only',
    description: 'Read-only access to functions and their code.',
    scope: 'FUNCTION',
  },
  {
    name: 'Tracking Plan Admin',
    description: 'Edit access to all tracking plans in the workspace.',
    scope: 'WORKSPACE',
  },
  {
    name: 'Tracking Plan Read-only',
    description: 'Read-only access to all tracking plans in the workspace.',
    scope: 'WORKSPACE',
  },
];

export const WORKSPACE_NAMES: readonly string[] = [
  'Acme Analytics',
  'Globex Data Platform',
  'Initech Growth',
  'Umbrella Retail',
  'Stark Mobility',
  'Wayne Commerce',
  'Hooli Marketing',
  'Nordlicht Média',
];

// Some names carry Unicode on purpose: reports and databases must keep them intact.
export const FIRST_NAMES: readonly string[] = [
  'Ada',
  'Alan',
  'Amara',
  'Ana María',
  'Anders',
  'Aoife',
  'Arjun',
  'Beatriz',
  'Björn',
  'Carlos',
  'Chen',
  'Chiara',
  'Chloé',
  'Dmitri',
  'Elena',
  'Emeka',
  'Fatima',
  'François',
  'Grace',
  'Hana',
  'Hiroshi',
  'Ingrid',
  'Isabel',
  'Jamal',
  'Jonas',
  'José',
  'Julia',
  'Kwame',
  'Lars',
  'Leilani',
  'Łukasz',
  'Maja',
  'Mateo',
  'Mei',
  'Mohammed',
  'Nadia',
  'Ngọc',
  'Noah',
  'Olga',
  'Omar',
  'Priya',
  'Rafael',
  'Renée',
  'Sakura',
  'Samir',
  'Siobhán',
  'Søren',
  'Sven',
  'Tomás',
  'Valentina',
  'Wei',
  'Yara',
  'Yusuf',
  'Zoë',
  'Žaneta',
  '美咲',
  'Олег',
  'Ελένη',
];

export const LAST_NAMES: readonly string[] = [
  'Abebe',
  'Andersson',
  'Bianchi',
  'Brown',
  'Castillo',
  'Chen',
  'Dąbrowski',
  'Da Silva',
  'Dubois',
  'Fernández',
  'Fischer',
  'García',
  'Gonzalez',
  'Hansen',
  'Ivanova',
  'Jensen',
  'Johnson',
  'Kim',
  'Kowalski',
  'Lee',
  'Martin',
  'Müller',
  'Nakamura',
  'Nguyễn',
  'Novák',
  "O'Brien",
  'Okafor',
  'Patel',
  'Pérez',
  'Rossi',
  'Schmidt',
  'Singh',
  'Smith',
  'Søndergaard',
  'Tanaka',
  'Van der Berg',
  'Wang',
  'Williams',
  'Yılmaz',
  'Zhang',
  '佐藤',
  'Смирнов',
];

export const EXTERNAL_DOMAINS: readonly string[] = ['gmail.com', 'agency-partners.io', 'contractor.dev'];

export const TEAMS: readonly string[] = [
  'Data Engineering',
  'Analytics',
  'Marketing Ops',
  'Growth',
  'Product',
  'Security',
  'Customer Success',
  'Lifecycle Marketing',
  'Finance',
  'Platform',
  'Mobile',
  'Web',
  'Support',
  'Privacy & Compliance',
  'Contractors – Agency',
  'Executives',
  'Sales Ops',
  'BI Reporting',
];

export const REGIONS: readonly string[] = ['EMEA', 'AMER', 'APAC', 'LATAM', 'DACH', 'Nordics', 'Global'];
