import type { RunMetrics } from '../model/site.js';

/** Prometheus text exposition format (pure). Absent figures are left out, not reported as 0. */
export function metricsText(m: RunMetrics): string {
  const out: string[] = [];
  const gauge = (name: string, help: string, value: number | null, type = 'gauge') => {
    if (value === null || !Number.isFinite(value)) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  };
  gauge(
    'access_audit_last_success_timestamp_seconds',
    'Unix time of the last complete audit run.',
    m.lastSuccessAt === null ? null : m.lastSuccessAt.getTime() / 1000,
  );
  gauge(
    'access_audit_last_duration_seconds',
    'Wall time of the last complete audit run.',
    m.lastDurationSeconds,
  );
  gauge(
    'access_audit_last_permission_changes',
    'Permission changes (rows of the Permission Changes sheet) in the last complete audit run.',
    m.lastPermissionChanges,
  );
  gauge(
    'access_audit_last_stale_invites',
    'Stale invites at the last complete audit run.',
    m.lastStaleInvites,
  );
  gauge(
    'access_audit_last_api_requests',
    'Segment API requests made by the last audit run.',
    m.lastApiRequests,
  );
  gauge(
    'access_audit_last_api_rate_limited',
    'HTTP 429 answers received by the last audit run.',
    m.lastApiRateLimited,
  );
  gauge(
    'access_audit_runs_failed_total',
    'Audit runs that failed or were abandoned (all time, from the database).',
    m.runsFailed,
    'counter',
  );
  return `${out.join('\n')}\n`;
}
