#!/usr/bin/env node
/**
 * Trims a rendered page to its content and writes it as a PNG with a white margin; used by
 * scripts/render-report-screenshots.sh on pdftoppm's PPM output, so it needs no image library.
 *
 * usage: node scripts/trim-to-png.mjs IN.ppm OUT.png [--margin PX] [--max-height PX] [--max-width PX]
 * Trimming drops only the white (≥ 250 in every channel) rows and columns around the content;
 * nothing inside is scaled or recoloured. --max-height keeps only the top of a long sheet
 * (the Access Review's first rows), --max-width its left columns (before the ids), so the
 * picture stays small.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    margin: { type: 'string', default: '16' },
    'max-height': { type: 'string' },
    'max-width': { type: 'string' },
  },
});
if (positionals.length !== 2) {
  process.stderr.write(
    'usage: node scripts/trim-to-png.mjs IN.ppm OUT.png [--margin PX] [--max-height PX] [--max-width PX]\n',
  );
  process.exit(2);
}
const [input, output] = positionals;
const margin = Number(values.margin);
const limit = (name) => (values[name] === undefined ? Number.POSITIVE_INFINITY : Number(values[name]));
const maxHeight = limit('max-height');
const maxWidth = limit('max-width');

/** A binary PPM (P6, maxval 255): width, height and RGB bytes. */
function readPpm(buffer) {
  const fields = [];
  let i = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buffer[i]))) i++;
    if (buffer[i] === 0x23) {
      while (buffer[i] !== 0x0a) i++; // a comment line
      continue;
    }
    const start = i;
    while (!/\s/.test(String.fromCharCode(buffer[i]))) i++;
    fields.push(buffer.subarray(start, i).toString('ascii'));
  }
  const [magic, width, height, max] = fields;
  if (magic !== 'P6' || max !== '255')
    throw new Error(`${input}: not a binary 8-bit PPM (${magic}, max ${max})`);
  return { width: Number(width), height: Number(height), rgb: buffer.subarray(i + 1) };
}

function contentBox({ width, height, rgb }) {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      if (rgb[p] < 250 || rgb[p + 1] < 250 || rgb[p + 2] < 250) {
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (bottom < 0) throw new Error(`${input}: the page is blank`);
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** RGB rows → PNG, each row with the filter (None, Sub, Up, Paeth) of least absolute sum. */
function encodePng(width, height, rgb) {
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  const zero = Buffer.alloc(stride);
  const candidates = [0, 1, 2, 4].map((type) => ({ type, row: Buffer.alloc(stride) }));
  for (let y = 0; y < height; y++) {
    const cur = rgb.subarray(y * stride, (y + 1) * stride);
    const prev = y === 0 ? zero : rgb.subarray((y - 1) * stride, y * stride);
    let best;
    for (const cand of candidates) {
      let sum = 0;
      for (let x = 0; x < stride; x++) {
        const a = x >= 3 ? cur[x - 3] : 0;
        const b = prev[x];
        const c = x >= 3 ? prev[x - 3] : 0;
        let predictor = 0;
        if (cand.type === 1) predictor = a;
        else if (cand.type === 2) predictor = b;
        else if (cand.type === 4) {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        const v = (cur[x] - predictor) & 0xff;
        cand.row[x] = v;
        sum += v < 128 ? v : 256 - v;
      }
      if (best === undefined || sum < best.sum) best = { sum, cand };
    }
    raw[y * (stride + 1)] = best.cand.type;
    best.cand.row.copy(raw, y * (stride + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const page = readPpm(readFileSync(input));
const box = contentBox(page);
box.height = Math.min(box.height, maxHeight);
box.width = Math.min(box.width, maxWidth);
const width = box.width + 2 * margin;
const height = box.height + 2 * margin;
const out = Buffer.alloc(width * height * 3, 0xff);
for (let y = 0; y < box.height; y++) {
  const from = ((box.top + y) * page.width + box.left) * 3;
  page.rgb.copy(out, ((y + margin) * width + margin) * 3, from, from + box.width * 3);
}
const png = encodePng(width, height, out);
writeFileSync(output, png);
process.stdout.write(`${output}: ${width}×${height}, ${Math.round(png.length / 1024)} KB\n`);
