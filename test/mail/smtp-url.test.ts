import { describe, expect, it } from 'vitest';
import { smtpTransportOptions } from '../../src/mail/smtp.js';
import { Secret } from '../../src/secret.js';

const options = (url: string) => smtpTransportOptions(new Secret(url)).options;

describe('smtpTransportOptions (SMTP_URL as parsed by config.ts)', () => {
  it('insists on STARTTLS before sending a password to another host', () => {
    const t = smtpTransportOptions(new Secret('smtp://user:p%40ss@mail.example.com:587'));
    expect(t.options).toMatchObject({ host: 'mail.example.com', port: 587, secure: false, requireTLS: true });
    expect(t.options.auth).toEqual({ user: 'user', pass: 'p@ss' });
    expect(t.display).toBe('smtp://mail.example.com:587');
  });

  it('lets a local server (no network in between) take the login without TLS', () => {
    expect(options('smtp://user:pass@127.0.0.1:2525').requireTLS).toBeUndefined();
    expect(options('smtp://user:pass@localhost:2525').requireTLS).toBeUndefined();
    expect(options('smtp://user:pass@[::1]:2525').requireTLS).toBeUndefined();
  });

  it('insists on STARTTLS without credentials too: the report itself is not sent in clear', () => {
    expect(options('smtp://mail:1025').requireTLS).toBe(true);
    expect(options('smtp://relay.example.com:25').requireTLS).toBe(true);
    // A name that merely starts like a loopback address is another host.
    expect(options('smtp://127.evil.example:25').requireTLS).toBe(true);
  });

  it('smtps:// is TLS from the first byte', () => {
    expect(options('smtps://u:p@mail.example.com')).toMatchObject({ secure: true, port: 465 });
  });

  it('keeps certificate verification on whatever the URL says', () => {
    expect(options('smtps://u:p@mail.example.com/?tls.rejectUnauthorized=false').tls).toMatchObject({
      rejectUnauthorized: true,
    });
  });
});
