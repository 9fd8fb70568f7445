// Reads worker/wrangler.jsonc (JSON with comments and trailing commas) so the tests run with the
// same compatibility date, class names and bindings as a deployment.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WORKER_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const WRANGLER_CONFIG_PATH = fileURLToPath(new URL('../../wrangler.jsonc', import.meta.url));

// Drops comments and trailing commas outside strings.
export function stripJsonc(text) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

export function readWranglerConfig() {
  return JSON.parse(stripJsonc(readFileSync(WRANGLER_CONFIG_PATH, 'utf8')));
}
