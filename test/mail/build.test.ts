import { describe, expect, it } from 'vitest';
import {
  buildAuditMessage,
  DEFAULT_ATTACH_LIMIT_BYTES,
  emlFileName,
  messageIdFor,
} from '../../src/mail/index.js';
import { XLSX_CONTENT_TYPE } from '../../src/model/files.js';
import { baseline, withChanges } from '../report/fixtures.js';

const report = {
  path: '/reports/access-audit-2026-06-30-s2.xlsx',
  fileName: 'access-audit-2026-06-30-s2.xlsx',
  bytes: 14_000,
};

function message(overrides: Partial<Parameters<typeof buildAuditMessage>[0]> = {}) {
  return buildAuditMessage({
    summary: withChanges('prev').summary,
    counts: { permissionChanges: 3, staleInvites: 2 },
    rows: withChanges('prev'),
    report,
    from: 'audit@example.com',
    to: ['sec@example.com', 'it@example.com'],
    ...overrides,
  });
}

describe('messageIdFor', () => {
  it('is stable for the same workspace and snapshot, distinct otherwise', () => {
    const id = messageIdFor('ws_123', 2);
    expect(id).toBe(messageIdFor('ws_123', 2));
    expect(id).toMatch(/^<access-audit\.ws_123\.s2\.[0-9a-f]{16}@segment-access-audit\.invalid>$/);
    expect(messageIdFor('ws_123', 3)).not.toBe(id);
    expect(messageIdFor('ws_124', 2)).not.toBe(id);
    // Ids that reduce to the same readable text still differ.
    expect(messageIdFor('ws 1', 2)).not.toBe(messageIdFor('ws/1', 2));
    expect(messageIdFor('ws_123', 2, 'example.com')).toMatch(/@example\.com>$/);
  });

  it('refuses a domain or snapshot id that would make a malformed header', () => {
    expect(() => messageIdFor('ws', 1, 'bad domain')).toThrow(RangeError);
    expect(() => messageIdFor('ws', 1, 'x>\r\nBcc: a@b')).toThrow(RangeError);
    expect(() => messageIdFor('ws', -1)).toThrow(RangeError);
  });

  it('names the outbox file', () => {
    expect(emlFileName(messageIdFor('ws_123', 2))).toMatch(
      /^access-audit\.ws_123\.s2\.[0-9a-f]{16}@segment-access-audit\.invalid\.eml$/,
    );
  });
});

describe('buildAuditMessage', () => {
  it('names the workspace and the counts in the subject, dated in the time zone', () => {
    const m = message();
    expect(m.subject).toBe(
      '[access-audit] Acme (acme): Workspace Owner granted to user2@example.com — 3 permission changes, 2 stale invites — 2026-06-30',
    );
    expect(message({ counts: { permissionChanges: 1, staleInvites: 1 } }).subject).toContain(
      '1 permission change, 1 stale invite',
    );
    const base = message({
      summary: baseline().summary,
      rows: baseline(),
      counts: { permissionChanges: 0, staleInvites: 0 },
    });
    expect(base.subject).toBe(
      '[access-audit] Acme (acme): 0 permission changes, 0 stale invites — 2026-06-15 (baseline)',
    );
    expect(base.text).toMatch(/Baseline: the first audit/);
  });

  it('is deterministic: the same inputs make the same message', () => {
    expect(message()).toEqual(message());
    const m = message();
    expect(m.messageId).toBe(messageIdFor('ws_123', 2));
    expect(m.date.toISOString()).toBe('2026-06-30T06:05:00.000Z');
    expect(m.to).toEqual(['sec@example.com', 'it@example.com']);
    expect(m.from).toBe('audit@example.com');
  });

  it('attaches the report by path as xlsx', () => {
    expect(message().attachments).toEqual([
      { filename: report.fileName, path: report.path, contentType: XLSX_CONTENT_TYPE },
    ]);
    expect(message().text).toContain('The report is attached: access-audit-2026-06-30-s2.xlsx (13.7 KiB).');
    expect(DEFAULT_ATTACH_LIMIT_BYTES).toBe(10 * 1024 * 1024);
    expect(message({ report: { ...report, bytes: DEFAULT_ATTACH_LIMIT_BYTES } }).attachments).toHaveLength(1);
  });

  it('over the limit: no attachment, the bodies say where to download it', () => {
    const withUrl = message({
      attachLimitBytes: 1000,
      downloadUrl: 'https://audit.example.com/reports/x.xlsx',
    });
    expect(withUrl.attachments).toEqual([]);
    expect(withUrl.text).toContain('is too large to attach');
    expect(withUrl.text).toContain('Download it from https://audit.example.com/reports/x.xlsx');
    expect(withUrl.html).toContain('<a href="https://audit.example.com/reports/x.xlsx">');

    const withPath = message({ attachLimitBytes: 1000 });
    expect(withPath.attachments).toEqual([]);
    expect(withPath.text).toContain(`It is in the reports directory: ${report.path}`);
    expect(withPath.html).toContain(report.path);
  });

  it('summarises counts and completeness warnings in both bodies', () => {
    const m = message();
    for (const body of [m.text, m.html]) {
      expect(body).toContain('Permission changes');
      expect(body).toContain('group g2: memberCount 5, walked 4');
      expect(body).toContain('groups deleted during the walk: g9');
      expect(body).toContain('permission_granted: 1');
    }
    expect(m.text).toMatch(/Snapshot 2 \(2026-06-30 08:00 Europe\/Berlin\) compared with snapshot 1/);
  });

  it('escapes workspace data in HTML and keeps the subject one line', () => {
    const data = withChanges(null);
    data.summary.workspace = {
      id: 'ws_1',
      slug: 'x"><img src=x onerror=alert(1)>',
      name: '<script>alert(1)</script>\r\nBcc: x@y',
    };
    data.summary.completeness!.warnings = ['<b>bold</b> & co'];
    const m = message({ summary: data.summary, downloadUrl: 'javascript:alert(1)', attachLimitBytes: 1 });
    expect(m.html).not.toContain('<script>');
    expect(m.html).not.toContain('<img');
    expect(m.html).not.toContain('<b>bold');
    expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(m.html).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; co');
    expect(m.html).not.toContain('href="javascript:');
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.text).toContain('<script>alert(1)</script>'); // plain text needs no escaping
  });
});
