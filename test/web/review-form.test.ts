/** The review upload's pure parts: the form token, the same-origin check, the multipart parser. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/secret.js';
import { mintCsrfToken, parseMultipart, sameOrigin, validCsrfToken } from '../../src/web/review-upload.js';

const token = new Secret('reports-token-for-review-form-tests-0123456789');

describe('form token', () => {
  it('is valid only for the token that minted it, and fresh each time', () => {
    const a = mintCsrfToken(token);
    expect(validCsrfToken(token, a)).toBe(true);
    expect(mintCsrfToken(token)).not.toBe(a);
    expect(validCsrfToken(new Secret('another-reports-token-0123456789-abcdef'), a)).toBe(false);
    expect(validCsrfToken(token, undefined)).toBe(false);
    const flipped = `${a.slice(0, -1)}${a.endsWith('0') ? '1' : '0'}`;
    expect(validCsrfToken(token, flipped)).toBe(false);
    expect(validCsrfToken(token, 'zz.zz')).toBe(false);
  });
});

describe('sameOrigin', () => {
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  it('refuses another host or a cross-site fetch, accepts this host and clients that send neither', () => {
    expect(sameOrigin(req({ host: 'audit.example:8080', origin: 'http://audit.example:8080' }))).toBe(true);
    expect(sameOrigin(req({ host: 'audit.example:8080' }))).toBe(true);
    expect(sameOrigin(req({ host: 'audit.example:8080', 'sec-fetch-site': 'same-origin' }))).toBe(true);
    expect(sameOrigin(req({ host: 'audit.example:8080', origin: 'https://evil.example' }))).toBe(false);
    expect(sameOrigin(req({ host: 'audit.example:8080', origin: 'null' }))).toBe(false);
    expect(sameOrigin(req({ host: 'audit.example:8080', 'sec-fetch-site': 'same-site' }))).toBe(false);
  });
});

describe('parseMultipart', () => {
  const body = (b: string) =>
    Buffer.from(
      `--${b}\r\nContent-Disposition: form-data; name="reviewer"\r\n\r\nana@example.com\r\n` +
        `--${b}\r\nContent-Disposition: form-data; name="workbook"; filename="r.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\nPK\x03\x04\r\n--data--\r\n` +
        `--${b}--\r\n`,
      'latin1',
    );
  it('reads the fields and the file, bytes intact', () => {
    const f = parseMultipart(body('xyz'), 'multipart/form-data; boundary=xyz');
    expect(f?.fields.get('reviewer')).toBe('ana@example.com');
    expect(f?.file?.name).toBe('r.xlsx');
    expect(f?.file?.bytes.toString('latin1')).toBe('PK\x03\x04\r\n--data--');
  });
  it('is null for another content type, a missing end, or a part without a name', () => {
    expect(parseMultipart(body('xyz'), 'application/x-www-form-urlencoded')).toBeNull();
    expect(parseMultipart(body('xyz').subarray(0, 60), 'multipart/form-data; boundary=xyz')).toBeNull();
    const nameless = Buffer.from('--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n');
    expect(parseMultipart(nameless, 'multipart/form-data; boundary=b')).toBeNull();
  });
});
