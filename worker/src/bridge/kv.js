// kv.get / kv.put / kv.delete / kv.list against a KV namespace binding.
import { bindingCommand } from './bindings.js';
import { CommandFailure, listOptions, optionalEnum, optionalInteger, requiredString, requiredValue } from './payload.js';

const MAX_LIST_LIMIT = 1000;

async function get(kv, p) {
  const key = requiredString(p, 'key');
  const type = optionalEnum(p, 'type', ['text', 'json']) ?? 'text';
  const text = await kv.get(key, 'text');
  if (text === null || type === 'text') return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new CommandFailure(`the value of "${key}" is not JSON (read it with type "text")`);
  }
}

// A string value is stored as is; any other JSON value is stored as its JSON text, so it reads
// back with type "json".
async function put(kv, p) {
  const key = requiredString(p, 'key');
  const value = requiredValue(p, 'value');
  const options = {};
  // Cloudflare's own rules (e.g. expiration_ttl >= 60) are enforced by the binding and come
  // back as a failure that quotes them.
  const ttl = optionalInteger(p, 'expiration_ttl');
  if (ttl !== undefined) options.expirationTtl = ttl;
  if (p.metadata !== undefined && p.metadata !== null) options.metadata = p.metadata;
  await kv.put(key, typeof value === 'string' ? value : JSON.stringify(value), options);
  return null;
}

async function remove(kv, p) {
  await kv.delete(requiredString(p, 'key'));
  return null;
}

async function list(kv, p) {
  const result = await kv.list(listOptions(p, ['prefix', 'cursor'], MAX_LIST_LIMIT));
  const reply = {
    keys: result.keys.map((entry) => {
      const key = { name: entry.name };
      if (entry.expiration !== undefined) key.expiration = entry.expiration;
      if (entry.metadata !== undefined) key.metadata = entry.metadata;
      return key;
    }),
    list_complete: result.list_complete,
  };
  if (!result.list_complete) reply.cursor = result.cursor;
  return reply;
}

export const kvCommands = {
  'kv.get': bindingCommand('kv', get),
  'kv.put': bindingCommand('kv', put),
  'kv.delete': bindingCommand('kv', remove),
  'kv.list': bindingCommand('kv', list, { nullPayload: true }),
};
