import { createHash } from 'node:crypto';

/**
 * The stable Message-ID of a snapshot's email. The documented behaviour allows a message to be sent
 * twice (the process may die after the server accepted it and before we recorded that)
 * only with the same Message-ID, so mail systems drop the duplicate. So the id is a pure
 * function of (workspace, snapshot): no clock, no randomness, no host name.
 *
 * The domain is fixed by default rather than taken from MAIL_FROM, so that changing the
 * sender between a failed delivery and its retry cannot change the id. `.invalid` is
 * reserved (RFC 2606): it can never collide with a real domain's own ids.
 */
const DEFAULT_MESSAGE_ID_DOMAIN = 'segment-access-audit.invalid';

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

export function messageIdFor(
  workspaceId: string,
  snapshotId: number,
  domain: string = DEFAULT_MESSAGE_ID_DOMAIN,
): string {
  if (!Number.isSafeInteger(snapshotId) || snapshotId < 0) {
    throw new RangeError(`snapshot id must be a non-negative integer (got ${snapshotId})`);
  }
  if (!DOT_ATOM.test(domain)) throw new RangeError(`not a Message-ID domain: "${domain}"`);
  // Readable part (the workspace id, reduced to safe characters) plus a digest of the
  // exact inputs, so two ids that reduce alike still differ.
  const readable = workspaceId.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'workspace';
  const digest = createHash('sha256').update(`${workspaceId}\u0000${snapshotId}`).digest('hex').slice(0, 16);
  return `<access-audit.${readable}.s${snapshotId}.${digest}@${domain}>`;
}
