import { AuditError, isAuditError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { noProgress, type Progress } from '../log/progress.js';
import { redactUrl, type Secret } from '../secret.js';
import { SegmentClient } from '../segment/index.js';

/**
 * Before a snapshot is begun: one cheap authenticated GET (GET /, the crawl's own first
 * request) proves the API is reachable. An API that cannot be
 * reached (connection refused, no DNS) fails here in about a second, with its cause, and
 * uses no snapshot id; the crawl's patient retries (minutes) are for an API that answers
 * and stumbles. Each retry is shown, on a terminal and in the log.
 */
export interface PreflightOptions {
  apiUrl: string;
  token: Secret;
  logger?: Logger;
  progress?: Progress;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** Two quick retries: a blip passes, a closed port or an unknown host fails within ~1 s. */
const PREFLIGHT = { retries: 2, minRetryDelayMs: 250, maxRetryDelayMs: 1_000, requestTimeoutMs: 10_000 };

export async function checkApiReachable(options: PreflightOptions): Promise<void> {
  const progress = options.progress ?? noProgress;
  const where = redactUrl(options.apiUrl);
  progress.update(`checking the Segment API at ${where}`);
  const client = new SegmentClient({
    ...PREFLIGHT,
    apiUrl: options.apiUrl,
    token: options.token,
    logger: options.logger,
    signal: options.signal,
    fetch: options.fetch,
    onRetry: (request, reason, attempt) => {
      options.logger?.warn({ request, attempt, reason }, 'the Segment API did not answer: retrying');
      progress.update(`${request}: ${reason}; retry ${attempt} of ${PREFLIGHT.retries}`);
    },
  });
  try {
    await client.getWorkspace();
  } catch (error) {
    // Only a server never heard from fails here. One that answered is reachable: riding out
    // its 5xx is the crawl's job (longer retries), and a refusal (401, 404, a TLS
    // certificate) is met again by the crawl, which records it on a failed snapshot.
    if (isAuditError(error, 'API_UNAVAILABLE') && client.stats.answers === 0) {
      throw new AuditError('API_UNAVAILABLE', `SEGMENT_API_URL ${where}: ${error.message}`, {
        cause: error,
        details: error.details,
      });
    }
    if (options.signal?.aborted) throw error;
  } finally {
    progress.done();
  }
}
