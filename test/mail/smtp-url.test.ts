import { describe, expect, it } from 'vitest';
import { parseSmtpUrl } from '../../src/mail/smtp.js';
import { Secret } from '../../src/secret.js';

describe('parseSmtpUrl', () => {
  it('insists on STARTTLS before sending a password to another host', () => {
    const t = parseSmtpUrl(new Secret('smtp://user:p%40ss@mail.example.com:587'));
    expect(t.options).toMatchObject({ host: 'mail.example.com', port: 587, secure: false, requireTLS: true });
    expect(t.options.auth).toEqual({ user: 'user', pass: 'p@ss' });
    expect(t.display).toBe('smtp://mail.example.com:587');
  });

  it('lets a local server (no network in between) take the login without TLS', () => {
    expect(parseSmtpUrl(new Secret('smtp://user:pass@127.0.0.1:2525')).options.requireTLS).toBeUndefined();
    expect(parseSmtpUrl(new Secret('smtp://user:pass@localhost:2525')).options.requireTLS).toBeUndefined();
  });

  it('needs no STARTTLS without credentials, and smtps:// is TLS from the first byte', () => {
    expect(parseSmtpUrl(new Secret('smtp://mail:1025')).options.requireTLS).toBeUndefined();
    expect(parseSmtpUrl(new Secret('smtps://u:p@mail.example.com')).options).toMatchObject({
      secure: true,
      port: 465,
    });
  });

  it('keeps certificate verification on whatever the URL says', () => {
    const t = parseSmtpUrl(new Secret('smtps://u:p@mail.example.com/?tls.rejectUnauthorized=false'));
    expect(t.options.tls).toMatchObject({ rejectUnauthorized: true });
  });
});
