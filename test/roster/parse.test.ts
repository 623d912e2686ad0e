/** Roster files: the CSV reader's edge cases, validation, and the one matching rule. */
import { describe, expect, it } from 'vitest';
import { isAuditError } from '../../src/errors.js';
import { parseCsv } from '../../src/roster/csv.js';
import { domainAllowed, emailKey } from '../../src/roster/match.js';
import { MAX_ROSTER_BYTES, parseRoster } from '../../src/roster/parse.js';

const SOURCE = { where: 'people.csv', code: 'USAGE' as const };
const roster = (text: string | Uint8Array) =>
  parseRoster(typeof text === 'string' ? new TextEncoder().encode(text) : text, SOURCE);

function refusal(text: string | Uint8Array): string {
  try {
    roster(text);
  } catch (error) {
    expect(isAuditError(error, 'USAGE')).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/^people\.csv .*nothing was imported$/);
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('the roster was accepted');
}

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and drops a BOM', () => {
    const text = '\uFEFFemail,note\r\n"a@x.com","says ""hi"", twice"\r\nb@x.com,"two\r\nlines"\nc@x.com,\n\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['email', 'note'] },
      { line: 2, fields: ['a@x.com', 'says "hi", twice'] },
      { line: 3, fields: ['b@x.com', 'two\r\nlines'] },
      { line: 5, fields: ['c@x.com', ''] },
    ]);
  });

  it('refuses a quote that never closes and text after a closing quote, naming the line', () => {
    expect(() => parseCsv('a,b\n"open,c\n')).toThrow(/line 2: a quoted field is never closed/);
    expect(() => parseCsv('a,b\n"x"y,c\n')).toThrow(/line 2: text follows a closing quote/);
    expect(() => parseCsv('a,b\nx"y,c\n')).toThrow(/line 2: a quote inside an unquoted field/);
  });
});

describe('parseRoster', () => {
  it('reads email, status and end_date, ignoring other columns and renamed-header spelling', () => {
    const entries = roster(
      'Employee ID,Email,Status,End Date,Department\r\n' +
        '17,Jane.Doe@Acme.com,Terminated,2026-06-15,Sales\r\n' +
        '18,bob+hr@acme.com,active,,Eng\r\n',
    );
    expect(entries).toEqual([
      {
        email: 'Jane.Doe@Acme.com',
        emailKey: 'jane.doe@acme.com',
        status: 'terminated',
        endDate: '2026-06-15',
        aliases: [],
      },
      { email: 'bob+hr@acme.com', emailKey: 'bob@acme.com', status: 'active', endDate: null, aliases: [] },
    ]);
  });

  it('reads BambooHR and Okta status words, and aliases', () => {
    const entries = roster(
      'email,status,aliases\n' +
        'a@acme.com,Inactive,\n' +
        'b@acme.com,DEPROVISIONED,\n' +
        'c@acme.com,ACTIVE,"C.Old@acme.com; c@acme.io"\n',
    );
    expect(entries.map((e) => e.status)).toEqual(['terminated', 'terminated', 'active']);
    expect(entries[2]?.aliases).toEqual(['c.old@acme.com', 'c@acme.io']);
  });

  it('refuses a file without an email or status column, naming what it found', () => {
    expect(refusal('mail,status\na@x.com,active\n')).toMatch(/no "email" column .*found: mail, status/);
    expect(refusal('email,state\na@x.com,active\n')).toMatch(/no "status" column/);
  });

  it('refuses bad dates, bad statuses and bad addresses, naming the line and the value', () => {
    expect(refusal('email,status,end_date\na@x.com,terminated,2026-02-30\n')).toMatch(
      /line 2: end_date "2026-02-30" is not a date/,
    );
    expect(refusal('email,status,end_date\na@x.com,terminated,15/06/2026\n')).toMatch(
      /line 2: end_date "15\/06\/2026"/,
    );
    expect(refusal('email,status\na@x.com,gone\n')).toMatch(
      /line 2: status "gone" is not one of active, terminated/,
    );
    expect(refusal('email,status\nnot-an-address,active\n')).toMatch(/line 2: email "not-an-address"/);
    expect(refusal('email,status\na@x.com,active,extra\n')).toMatch(
      /line 2: 3 fields where the header has 2/,
    );
  });

  it('refuses one person twice: same address in another case, with a +tag, or as an alias', () => {
    expect(refusal('email,status\na@x.com,active\nA@X.com,terminated\n')).toMatch(
      /line 3: a@x\.com is already on line 2/,
    );
    expect(refusal('email,status\na@x.com,active\na+tag@x.com,active\n')).toMatch(
      /line 3: a@x\.com is already on line 2/,
    );
    expect(refusal('email,status,aliases\na@x.com,active,b@x.com\nb@x.com,active,\n')).toMatch(
      /line 3: b@x\.com/,
    );
  });

  it('refuses empty, header-only, binary, non-UTF-8 and huge files', () => {
    expect(refusal('')).toMatch(/is empty/);
    expect(refusal('email,status\n')).toMatch(/has a header but no rows/);
    expect(refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toMatch(/not a CSV text file/);
    expect(refusal(new Uint8Array([0x65, 0x6d, 0xff, 0xfe, 0x0a]))).toMatch(/not UTF-8 text/);
    expect(refusal(new Uint8Array(MAX_ROSTER_BYTES + 1).fill(0x61))).toMatch(/larger than 16 MiB/);
    expect(refusal('email,status\n"a@x.com,active\n')).toMatch(/is not valid CSV: line 2/);
  });
});

describe('the matching rule', () => {
  it('ignores case and a +tag, keeps dots, and leaves the domain as it is', () => {
    expect(emailKey('  Jane.Doe+Segment@ACME.com ')).toBe('jane.doe@acme.com');
    expect(emailKey('jane.doe@acme.com')).not.toBe(emailKey('janedoe@acme.com'));
    expect(emailKey('+tag@acme.com')).toBe('+tag@acme.com');
    expect(emailKey('jane@acme.io')).not.toBe(emailKey('jane@acme.com'));
  });

  it('allows a listed domain and its subdomains, nothing that only ends alike', () => {
    expect(domainAllowed('a@acme.com', ['acme.com'])).toBe(true);
    expect(domainAllowed('a@EU.Acme.com', ['acme.com'])).toBe(true);
    expect(domainAllowed('a@notacme.com', ['acme.com'])).toBe(false);
    expect(domainAllowed('a@acme.com.evil.io', ['acme.com'])).toBe(false);
  });
});
