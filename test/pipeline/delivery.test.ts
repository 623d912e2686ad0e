/**
 * The email end to end through runAudit: a real SMTP round trip (smtp-server +
 * mailparser), outbox mode, an outage followed by recovery, a delivery left pending by a
 * process that died after the server took the message, and a report a dead process never
 * wrote. The rule under test: one message per snapshot, never two different ones.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlWorkspace } from '../../src/crawl/index.js';
import { messageIdFor } from '../../src/mail/index.js';
import { reportFileName } from '../../src/report/index.js';
import { Secret } from '../../src/secret.js';
import { beginSnapshot, completeSnapshot, deliveryFor, getReport } from '../../src/store/index.js';
import { freePort, startSmtp, type TestSmtp } from '../mail/smtp-helpers.js';
import { at, fileSha256, type Harness, sha256, silent, smtpUrl, startHarness } from './helpers.js';

let h: Harness;
let smtp: TestSmtp;
let live: Secret;
const parsed: ParsedMail[] = [];

beforeAll(async () => {
  h = await startHarness({ seed: 9 });
  smtp = await startSmtp();
  live = smtpUrl(smtp.port);
});
afterAll(async () => {
  await smtp?.close();
  await h?.close();
});

/** Parses what the server received since the last call. */
async function newMessages(): Promise<ParsedMail[]> {
  const fresh = smtp.received.slice(parsed.length);
  for (const m of fresh) parsed.push(await simpleParser(m.raw));
  return parsed.slice(parsed.length - fresh.length);
}

function attachmentOf(m: ParsedMail): Buffer {
  expect(m.attachments).toHaveLength(1);
  return (m.attachments[0] as { content: Buffer }).content;
}

describe('email through the whole run', () => {
  it('SMTP round trip: subject, recipients, Message-ID, the attachment is the report byte for byte', async () => {
    await h.run(at(0), { smtpUrl: live });
    expect(await newMessages()).toHaveLength(1);

    // Something to count in the second run's subject.
    const t = h.sim.truth();
    const owner = t.roles.find((r) => r.name === 'Workspace Owner');
    const user = t.users.find((u) => !u.permissions.some((p) => p.roleId === owner?.id));
    if (!owner || !user) throw new Error('seeded workspace does not fit');
    await h.admin.addUserPermissions(user.id, [
      { roleId: owner.id, resources: [{ id: t.workspace.id, type: 'WORKSPACE' }] },
    ]);

    const r = await h.run(at(7), { smtpUrl: live });
    expect(r.email).toMatchObject({ status: 'sent', via: `smtp://127.0.0.1:${smtp.port}` });
    expect(r.permissionChanges).toBe(1);
    const [m] = await newMessages();
    if (!m) throw new Error('no message');
    const envelope = smtp.received.at(-1);
    expect(envelope?.from).toBe('audit@example.com');
    expect(envelope?.to.sort()).toEqual(['it-audit@example.com', 'security@example.com']);
    expect(m.subject).toContain(t.workspace.name);
    expect(m.subject).toContain('1 permission change,');
    expect(m.subject).toContain(`${r.staleInvites} stale invite`);
    expect(m.subject).toContain('2026-03-09');
    expect(m.messageId).toBe(messageIdFor(t.workspace.id, r.snapshotId));
    const recorded = await getReport(h.db.handle.db, r.snapshotId);
    expect(m.headers.get('x-access-audit-data-sha256')).toBe(recorded?.dataSha256);
    const attachment = m.attachments[0];
    expect(attachment?.filename).toBe(reportFileName(at(7), r.snapshotId, 'UTC'));
    expect(sha256(attachmentOf(m))).toBe(await fileSha256(r.reportPath));
    expect(sha256(attachmentOf(m))).toBe(recorded?.fileSha256);
    expect(m.text).toContain(t.workspace.name);
    expect(m.html).toContain('Permission changes');
    const delivery = await deliveryFor(h.db.handle.db, r.snapshotId);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1, messageId: m.messageId });
  });

  it('outbox mode (no SMTP_URL): an .eml in REPORTS_DIR/outbox with the report attached', async () => {
    const r = await h.run(at(8));
    if (r.email.status !== 'outbox') throw new Error(`email ${r.email.status}`);
    expect(r.email.path.startsWith(join(h.reportsDir, 'outbox'))).toBe(true);
    const m = await simpleParser(await readFile(r.email.path));
    expect(m.messageId).toBe(r.email.messageId);
    expect((m.to as { value: { address: string }[] }).value.map((v) => v.address).sort()).toEqual([
      'it-audit@example.com',
      'security@example.com',
    ]);
    expect(sha256(attachmentOf(m))).toBe(await fileSha256(r.reportPath));
    expect(await readdir(join(h.reportsDir, 'outbox'))).toHaveLength(1);
    expect(await newMessages()).toHaveLength(0);
  });

  it('an SMTP outage: the run completes, the next run sends the missed email once, then its own', async () => {
    const dead = smtpUrl(await freePort());
    const failed = await h.run(at(9), { smtpUrl: dead });
    expect(failed.email.status).toBe('failed');
    expect(await stat(failed.reportPath)).toBeTruthy();
    expect(await deliveryFor(h.db.handle.db, failed.snapshotId)).toMatchObject({ status: 'failed' });

    // A run refused for its time (exit 2) does nothing, not even the owed email.
    await expect(h.run(at(9), { smtpUrl: live })).rejects.toMatchObject({ code: 'CLOCK_NOT_AFTER_LAST' });
    expect(await newMessages()).toHaveLength(0);
    expect(await deliveryFor(h.db.handle.db, failed.snapshotId)).toMatchObject({
      status: 'failed',
      attempts: 1,
    });

    const next = await h.run(at(10), { smtpUrl: live });
    expect(next.email.status).toBe('sent');
    expect(next.recovered).toEqual([
      { snapshotId: failed.snapshotId, report: false, email: expect.objectContaining({ status: 'sent' }) },
    ]);
    const got = await newMessages();
    expect(got.map((m) => m.messageId)).toEqual([
      messageIdFor(h.sim.truth().workspace.id, failed.snapshotId),
      messageIdFor(h.sim.truth().workspace.id, next.snapshotId),
    ]);
    // The missed email carries ITS snapshot's report.
    expect(sha256(attachmentOf(got[0] as ParsedMail))).toBe(await fileSha256(failed.reportPath));
    expect(await deliveryFor(h.db.handle.db, failed.snapshotId)).toMatchObject({
      status: 'sent',
      attempts: 2,
    });

    const after = await h.run(at(11), { smtpUrl: live });
    expect(after.recovered).toEqual([]);
    expect(await newMessages()).toHaveLength(1);
  });

  it('a delivery left pending after the server took it is resent with the same Message-ID and bytes', async () => {
    const r = await h.run(at(12), { smtpUrl: live });
    const [first] = await newMessages();
    if (!first) throw new Error('no message');
    // What a process killed between the server's 250 and markDelivered leaves behind.
    await sql`UPDATE audit.deliveries SET status = 'pending', sent_at = NULL
               WHERE snapshot_id = ${r.snapshotId}`.execute(h.db.handle.db);

    const next = await h.run(at(13), { smtpUrl: live });
    expect(next.recovered).toEqual([
      { snapshotId: r.snapshotId, report: false, email: expect.objectContaining({ status: 'sent' }) },
    ]);
    const [again, own] = await newMessages();
    if (!again || !own) throw new Error('messages missing');
    expect(again.messageId).toBe(first.messageId);
    expect(again.subject).toBe(first.subject);
    expect(again.date?.getTime()).toBe(first.date?.getTime());
    expect(again.text).toBe(first.text);
    expect(again.html).toBe(first.html);
    expect(attachmentOf(again).equals(attachmentOf(first))).toBe(true);
    expect(own.messageId).toBe(messageIdFor(h.sim.truth().workspace.id, next.snapshotId));
  });

  it('a report a dead process never wrote is written and mailed by the next run, before its own', async () => {
    // The process died right after the snapshot committed: complete, no report, no delivery.
    const config = h.config(at(14));
    const id = await beginSnapshot(h.db.handle.db, {
      takenAt: at(14),
      staleInviteDays: config.staleInviteDays,
      apiUrl: config.segmentApiUrl,
    });
    const picture = await crawlWorkspace({
      apiUrl: h.sim.url,
      token: new Secret(h.sim.token),
      logger: silent,
      now: () => at(14),
    });
    await completeSnapshot(h.db.handle.db, id, picture);
    expect(await getReport(h.db.handle.db, id)).toBeNull();

    const next = await h.run(at(15), { smtpUrl: live });
    expect(next.recovered).toEqual([
      { snapshotId: id, report: true, email: expect.objectContaining({ status: 'sent' }) },
    ]);
    const path = join(h.reportsDir, reportFileName(at(14), id, 'UTC'));
    const recorded = await getReport(h.db.handle.db, id);
    expect(recorded?.fileName).toBe(reportFileName(at(14), id, 'UTC'));
    const [missed, own] = await newMessages();
    if (!missed || !own) throw new Error('messages missing');
    expect(missed.messageId).toBe(messageIdFor(picture.workspace.id, id));
    expect(sha256(attachmentOf(missed))).toBe(await fileSha256(path));
    expect(own.messageId).toBe(messageIdFor(picture.workspace.id, next.snapshotId));
    // The next report chains to the recovered one.
    const own2 = await getReport(h.db.handle.db, next.snapshotId);
    expect(own2?.againstSnapshotId).toBe(id);
  });

  it('over the whole file: never two messages for one snapshot, except the same one after a crash', async () => {
    const counts = new Map<string, number>();
    for (const m of parsed) counts.set(m.messageId ?? '', (counts.get(m.messageId ?? '') ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1);
    // Only the snapshot whose delivery was left pending was sent twice (same Message-ID).
    expect(twice).toHaveLength(1);
    const bySnapshot = new Map<string, Set<string>>();
    for (const m of parsed) {
      const s = String(m.headers.get('x-access-audit-snapshot'));
      const set = bySnapshot.get(s) ?? new Set<string>();
      set.add(`${m.messageId}|${sha256(attachmentOf(m))}`);
      bySnapshot.set(s, set);
    }
    for (const set of bySnapshot.values()) expect(set.size).toBe(1);
  });
});
