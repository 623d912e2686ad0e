import { describe, expect, it } from 'vitest';
import { REPORT_FILE_NAME } from '../../src/model/files.js';
import type { ChangeKind } from '../../src/model/report-data.js';
import { causeText } from '../../src/report/causes.js';
import { EXCEL_MAX_TEXT, text } from '../../src/report/cells.js';
import { reportFileName, summaryLines } from '../../src/report/index.js';
import { localDate, wallClockDate } from '../../src/text/time-zone.js';
import { baseline } from './fixtures.js';

describe('reportFileName', () => {
  it('dates the file in the audit time zone', () => {
    const lateSunday = new Date('2026-06-28T23:30:00Z');
    expect(reportFileName(lateSunday, 7, 'UTC')).toBe('access-audit-2026-06-28-s7.xlsx');
    expect(reportFileName(lateSunday, 7, 'Europe/Berlin')).toBe('access-audit-2026-06-29-s7.xlsx');
    expect(reportFileName(new Date('2026-06-29T03:00:00Z'), 12, 'America/Los_Angeles')).toBe(
      'access-audit-2026-06-28-s12.xlsx',
    );
    expect(REPORT_FILE_NAME.test('access-audit-2026-06-28-s12.xlsx')).toBe(true);
  });

  it('rejects a bad snapshot id and an unknown zone', () => {
    expect(() => reportFileName(new Date(), 1.5, 'UTC')).toThrow(RangeError);
    expect(() => reportFileName(new Date(), 1, 'Mars/Olympus')).toThrow(RangeError);
  });

  it('names only files the download site serves: ids up to 12 digits', () => {
    const largest = reportFileName(new Date('2026-06-28T12:00:00Z'), 999_999_999_999, 'UTC');
    expect(largest).toBe('access-audit-2026-06-28-s999999999999.xlsx');
    expect(REPORT_FILE_NAME.test(largest)).toBe(true);
    expect(() => reportFileName(new Date(), 1_000_000_000_000, 'UTC')).toThrow(RangeError);
    expect(REPORT_FILE_NAME.test('access-audit-2026-06-28-s1000000000000.xlsx')).toBe(false);
  });
});

describe('time zone conversion for Excel', () => {
  it('gives the wall clock as UTC fields, across DST', () => {
    expect(wallClockDate(new Date('2026-01-15T06:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-01-15T07:00:00.000Z',
    );
    expect(wallClockDate(new Date('2026-07-15T06:00:00.250Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-07-15T08:00:00.250Z',
    );
    expect(wallClockDate(new Date('2026-07-15T06:00:00Z'), 'UTC').toISOString()).toBe(
      '2026-07-15T06:00:00.000Z',
    );
    expect(localDate(new Date('2026-03-01T00:30:00Z'), 'Asia/Kolkata')).toBe('2026-03-01');
  });
});

describe('cells', () => {
  it('clamps text to Excel’s cell limit and keeps formula-like text as is', () => {
    expect(text('x'.repeat(EXCEL_MAX_TEXT + 10))?.length).toBe(EXCEL_MAX_TEXT);
    expect(text('=1+1')).toBe('=1+1');
    expect(text('')).toBeNull();
  });
});

describe('summaryLines', () => {
  it('says baseline and states the absent completeness record', () => {
    const data = baseline();
    const lines = summaryLines(
      { ...data.summary, completeness: null },
      {
        dataSha256: 'abc',
        counts: {
          permissionChanges: 0,
          staleInvites: 0,
          membershipChanges: 0,
          accessReview: 4,
          invites: 2,
          reviewStatus: 0,
          privilegedAccess: 1,
          exceptions: 0,
        },
      },
    );
    const byLabel = new Map(lines.map((l) => [l.label, l.value]));
    expect(byLabel.get('Previous snapshot')).toBe('baseline (none)');
    expect(byLabel.get('Completeness')).toBe('not recorded for this snapshot');
    expect(byLabel.get('Data SHA-256 (this report)')).toBe('abc');
    expect(lines[0]).toMatchObject({ kind: 'title', label: 'Segment access audit: Acme (acme)' });
  });

  it('marks a declared/walked mismatch as a warning', () => {
    const data = baseline();
    const c = data.summary.completeness!;
    const lines = summaryLines(
      { ...data.summary, completeness: { ...c, declared: { ...c.declared, users: 5 } } },
      {
        dataSha256: 'abc',
        counts: {
          permissionChanges: 0,
          staleInvites: 0,
          membershipChanges: 0,
          accessReview: 4,
          invites: 2,
          reviewStatus: 0,
          privilegedAccess: 1,
          exceptions: 0,
        },
      },
    );
    expect(lines.find((l) => l.label === 'Users (totalEntries)')).toEqual({
      kind: 'warning',
      label: 'Users (totalEntries)',
      value: 'declared 5, walked 4: MISMATCH',
    });
  });

  const SCAN = {
    dataSha256: 'abc',
    counts: {
      permissionChanges: 0,
      staleInvites: 0,
      membershipChanges: 0,
      accessReview: 4,
      invites: 2,
      reviewStatus: 0,
      privilegedAccess: 1,
      exceptions: 0,
    },
  };

  it('counts records without permissions and names the resource lists it could not read', () => {
    const data = baseline();
    const c = data.summary.completeness!;
    const lines = summaryLines(
      {
        ...data.summary,
        completeness: {
          ...c,
          withoutPermissions: { users: 3, groups: 1 },
          unreadableResourceLists: ['sources', 'warehouses'],
        },
      },
      SCAN,
    );
    expect(lines.find((l) => l.label === 'Detail records without permissions')).toEqual({
      kind: 'field',
      label: 'Detail records without permissions',
      value: '3 users, 1 group (no permissions member: no direct grants)',
    });
    expect(lines.find((l) => l.label === 'Resource names')).toEqual({
      kind: 'warning',
      label: 'Resource names',
      value: 'the token could not read sources, warehouses: resources of those kinds are named by id only',
    });
    const readable = summaryLines(data.summary, SCAN);
    expect(readable.find((l) => l.label === 'Resource names')).toMatchObject({
      kind: 'field',
      value: 'every resource list was read',
    });
  });

  it('says "not recorded" for a snapshot stored before these were counted', () => {
    const data = baseline();
    const { withoutPermissions: _w, unreadableResourceLists: _u, ...older } = data.summary.completeness!;
    const lines = summaryLines(
      { ...data.summary, completeness: older as typeof data.summary.completeness },
      SCAN,
    );
    const byLabel = new Map(lines.map((l) => [l.label, l.value]));
    expect(byLabel.get('Detail records without permissions')).toBe('not recorded for this snapshot');
    expect(byLabel.get('Resource names')).toBe('not recorded for this snapshot');
  });
});

describe('causeText', () => {
  it('says each cause in words, naming the group a change came through', () => {
    const say = (cause: ChangeKind, via = 'direct') => causeText({ cause, via });
    expect(say('permission_granted')).toBe('granted directly');
    expect(say('permission_revoked')).toBe('revoked directly');
    expect(say('permission_granted', 'Analysts')).toBe('granted to group Analysts');
    expect(say('permission_revoked', 'Analysts')).toBe('revoked from group Analysts');
    expect(say('membership_added', 'Analysts')).toBe('joined group Analysts');
    expect(say('membership_removed', 'Analysts')).toBe('left group Analysts');
    expect(say('group_created', 'Analysts')).toBe('group Analysts created');
    expect(say('group_deleted', 'Analysts')).toBe('group Analysts deleted');
    expect(say('user_added', 'Analysts')).toBe('user added');
    expect(say('user_removed')).toBe('user removed');
    expect(say('invite_accepted')).toBe('invite accepted');
    // A group name is workspace text: XML-safe like every other cell.
    expect(say('membership_added', 'Ops\u0007')).toBe('joined group Ops\u2407');
  });
});
