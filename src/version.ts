import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (one level above both src/ and dist/). */
export const TOOL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The package root (where migrations/ and package.json live), from src/ or dist/ alike. */
export const PACKAGE_ROOT: URL = new URL('../', import.meta.url);
