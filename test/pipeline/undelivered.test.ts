import { describe, expect, it } from 'vitest';
import { AuditError } from '../../src/errors.js';
import type { DeliveryOutcome } from '../../src/pipeline/deliver.js';
import type { RunResult } from '../../src/pipeline/run-audit.js';
import { undeliveredError } from '../../src/pipeline/undelivered.js';

const failed = (message: string): DeliveryOutcome => ({
  status: 'failed',
  error: new AuditError('MAIL_UNDELIVERED', message),
});
const sent: DeliveryOutcome = { status: 'sent', to: ['a@x.test'], via: 'smtp://h:25', messageId: '<m@x>' };

function result(email: DeliveryOutcome, recovered: RunResult['recovered'] = []): RunResult {
  return { snapshotId: 5, email, recovered } as unknown as RunResult;
}

describe('undeliveredError (exit 3)', () => {
  it('is null when every email went out', () => {
    expect(undeliveredError(result(sent, [{ snapshotId: 4, report: false, email: sent }]))).toBeNull();
    expect(undeliveredError(result({ status: 'skipped', reason: 'MAIL_TO is not set' }))).toBeNull();
  });

  it("names this run's email", () => {
    const e = undeliveredError(result(failed('connection refused')));
    expect(e?.exitStatus).toBe(3);
    expect(e?.message).toBe(
      'the audit completed (snapshot 5) but the email was not delivered: connection refused',
    );
  });

  it('counts an earlier snapshot whose retried email failed again, even when this one went out', () => {
    const e = undeliveredError(result(sent, [{ snapshotId: 3, report: false, email: failed('550 no') }]));
    expect(e?.exitStatus).toBe(3);
    expect(e?.message).toBe(
      'the audit completed (snapshot 5) but the email of snapshot 3 was not delivered: 550 no',
    );
  });

  it('lists every undelivered snapshot, oldest first', () => {
    const e = undeliveredError(
      result(failed('timeout'), [
        { snapshotId: 3, report: false, email: failed('timeout') },
        { snapshotId: 4, report: true, email: null },
      ]),
    );
    expect(e?.message).toBe(
      'the audit completed (snapshot 5) but the emails of snapshots 3, 5 were not delivered: timeout',
    );
  });
});
