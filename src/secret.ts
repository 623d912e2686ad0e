import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A value that must never be printed, logged or stored. Every way of turning it into
 * text (String(), JSON.stringify, util.inspect, template literals) yields "[redacted]";
 * only reveal() gives the value, and only the code that sends it over the wire calls it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Replaces every occurrence of the given secret values in a text (defence in depth for messages). */
export function scrub(text: string, secrets: readonly (Secret | string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    const value = s instanceof Secret ? s.reveal() : s;
    if (value && value.length >= 4) out = out.split(value).join(REDACTED);
  }
  return out;
}

/** A URL's text with its password (and user) hidden, for messages about connection targets. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'xxxxx';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
