/**
 * The one matching rule between a roster, the workspace and the audit trail. Two addresses
 * are the same person when their keys are equal: the key is the address trimmed and in
 * lower case, with a `+tag` removed from the local part (`Jane.Doe+segment@Acme.com` →
 * `jane.doe@acme.com`). Nothing else is guessed (dots are kept: they matter outside
 * Gmail); other addresses of the same person are the roster's `aliases` column.
 */

export function emailKey(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0) return lower;
  const local = lower.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}${lower.slice(at)}`;
}

/** The domain of an address, in lower case ('' when it has none). */
export function domainOf(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  return at < 0 ? '' : lower.slice(at + 1);
}

/** Whether the address's domain is one of `allowed` or a subdomain of one (`eu.acme.com` under `acme.com`). */
export function domainAllowed(email: string, allowed: readonly string[]): boolean {
  const domain = domainOf(email);
  return allowed.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/** A plausible address: one `@`, something on each side, no spaces or separators. */
export function looksLikeEmail(email: string): boolean {
  return /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/.test(email.trim());
}
