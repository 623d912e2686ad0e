/**
 * Reading a response body within a byte bound, while it streams: a hostile or broken
 * server can send a body of any size (or one that never ends), and buffering it first would
 * take the memory the bound is there to protect. Past the bound the stream is cancelled,
 * which closes the connection at once instead of holding it until the request timeout.
 */

export interface Body {
  text: string;
  /** false: the body was longer than the bound and was cut off (`text` is then empty). */
  complete: boolean;
}

export async function readBounded(response: Response, limitBytes: number): Promise<Body> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    await response.body?.cancel().catch(() => {});
    return { text: '', complete: false };
  }
  const reader = response.body?.getReader();
  if (!reader) return { text: '', complete: true };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      return { text: '', complete: false };
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks, size).toString('utf8'), complete: true };
}

/**
 * API text made safe for a terminal line, a log and the database: control characters (C0,
 * DEL, C1, which carry terminal escape sequences) and the bidirectional controls that can
 * reorder what a reader sees are shown as `\uXXXX` instead of acting.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
