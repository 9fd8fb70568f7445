// Chooses which Durable Object (and so which container instance) serves a request.
//
//   CONTAINERFLARE_ROUTING=single              every request goes to one instance (default)
//   CONTAINERFLARE_ROUTING=key                 one instance per key, read from
//   CONTAINERFLARE_ROUTING_KEY=header:<name>     a request header,
//                              cookie:<name>     a cookie,
//                              path:<index>      a path segment (0 = first)
//   CONTAINERFLARE_ROUTING=spread              each request goes to one of N instances at random
//   CONTAINERFLARE_INSTANCES=<N>
//
// The result is a name for idFromName(): the same name always reaches the same instance.
import { ConfigError, readVar } from './config.js';

export const SINGLE_INSTANCE_NAME = 'containerflare';
const MAX_INSTANCES = 1000;
// Durable Object names are free-form, but a key taken from a request should not be unbounded.
const MAX_KEY_LENGTH = 256;

export function routingConfig(env) {
  const mode = (readVar(env, 'CONTAINERFLARE_ROUTING') ?? 'single').toLowerCase();
  if (mode === 'single') return { mode };
  if (mode === 'key') return { mode, key: parseKeySource(readVar(env, 'CONTAINERFLARE_ROUTING_KEY')) };
  if (mode === 'spread') return { mode, instances: parseInstanceCount(readVar(env, 'CONTAINERFLARE_INSTANCES')) };
  throw new ConfigError('CONTAINERFLARE_ROUTING', `must be single, key or spread, got "${mode}"`);
}

function parseKeySource(value) {
  const variable = 'CONTAINERFLARE_ROUTING_KEY';
  if (value === undefined) throw new ConfigError(variable, 'must be set when CONTAINERFLARE_ROUTING=key');
  const separator = value.indexOf(':');
  const kind = separator < 0 ? '' : value.slice(0, separator).toLowerCase();
  const name = separator < 0 ? '' : value.slice(separator + 1).trim();
  if ((kind === 'header' || kind === 'cookie') && name !== '') return { kind, name: kind === 'header' ? name.toLowerCase() : name };
  if (kind === 'path' && /^\d+$/.test(name)) return { kind, index: Number(name) };
  throw new ConfigError(variable, `must be header:<name>, cookie:<name> or path:<index>, got "${value}"`);
}

function parseInstanceCount(value) {
  const variable = 'CONTAINERFLARE_INSTANCES';
  if (value === undefined) throw new ConfigError(variable, 'must be set when CONTAINERFLARE_ROUTING=spread');
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_INSTANCES) {
    throw new ConfigError(variable, `must be an integer from 1 to ${MAX_INSTANCES}, got "${value}"`);
  }
  return Number(value);
}

export function cookieValue(cookieHeader, name) {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) {
      const raw = part.slice(separator + 1).trim().replace(/^"(.*)"$/, '$1');
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

export function routingKey(request, source) {
  let value;
  if (source.kind === 'header') value = request.headers.get(source.name) ?? undefined;
  else if (source.kind === 'cookie') value = cookieValue(request.headers.get('cookie'), source.name);
  else {
    const segments = new URL(request.url).pathname.split('/').filter((segment) => segment !== '');
    value = segments[source.index];
  }
  if (value === undefined) return undefined;
  value = value.trim();
  return value === '' ? undefined : value.slice(0, MAX_KEY_LENGTH);
}

// `random` returns a number in [0, 1), like Math.random; tests may pass their own.
export function instanceName(request, config, random = Math.random) {
  if (config.mode === 'key') {
    const key = routingKey(request, config.key);
    // Requests without a key share the default instance rather than failing.
    return key === undefined ? SINGLE_INSTANCE_NAME : `key:${key}`;
  }
  if (config.mode === 'spread') {
    const index = Math.min(config.instances - 1, Math.floor(random() * config.instances));
    return `spread:${index}`;
  }
  return SINGLE_INSTANCE_NAME;
}
