// Finds the binding a command runs against: payload.binding names it, otherwise the default for
// its kind (overridable with a variable). Bindings are recognised by their methods, so a name
// that exists but holds another kind of binding is reported as such.
import { readVar } from '../config.js';
import { CommandFailure, objectPayload, optionalString } from './payload.js';

const methods = (...names) => (binding) =>
  binding !== null && typeof binding === 'object' && names.every((name) => typeof binding[name] === 'function');

export const BINDING_KINDS = {
  kv: { label: 'KV namespace', variable: 'CONTAINERFLARE_KV_BINDING', fallback: 'KV', matches: methods('get', 'getWithMetadata', 'put', 'list', 'delete') },
  d1: { label: 'D1 database', variable: 'CONTAINERFLARE_D1_BINDING', fallback: 'DB', matches: methods('prepare', 'batch', 'exec') },
  r2: { label: 'R2 bucket', variable: 'CONTAINERFLARE_R2_BINDING', fallback: 'BUCKET', matches: methods('head', 'get', 'put', 'list', 'delete', 'createMultipartUpload') },
  queue: { label: 'Queue', variable: 'CONTAINERFLARE_QUEUE_BINDING', fallback: 'QUEUE', matches: methods('send', 'sendBatch') },
};

export function defaultBindingName(env, kind) {
  const { variable, fallback } = BINDING_KINDS[kind];
  return readVar(env, variable) ?? fallback;
}

export function resolveBinding(env, kind, payload) {
  const { label, matches } = BINDING_KINDS[kind];
  const name = optionalString(payload, 'binding') ?? defaultBindingName(env, kind);
  const binding = Object.hasOwn(env, name) ? env[name] : undefined;
  if (binding === undefined) {
    throw new CommandFailure(`no ${label} binding named "${name}" (add it to wrangler.jsonc)`);
  }
  if (!matches(binding)) throw new CommandFailure(`binding "${name}" is not a ${label}`);
  return binding;
}

// Wraps `run(binding, payload)` into a command handler: the payload must be an object (for
// list commands a null payload means {}), and the binding is resolved from it.
export function bindingCommand(kind, run, { nullPayload = false } = {}) {
  return async (env, payload) => {
    const p = objectPayload(nullPayload ? payload ?? {} : payload);
    return run(resolveBinding(env, kind, p), p);
  };
}
