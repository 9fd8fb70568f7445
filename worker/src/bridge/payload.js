// Reading command payloads. Every problem becomes a CommandFailure whose message names the field,
// so a bad payload is answered with ok:false, never an exception escaping the bridge.

export class CommandFailure extends Error {
  constructor(message) {
    super(message);
    this.name = 'CommandFailure';
  }
}

export function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function objectPayload(payload) {
  if (!isPlainObject(payload)) throw new CommandFailure('payload must be a JSON object');
  return payload;
}

function has(object, field) {
  return Object.hasOwn(object, field) && object[field] !== undefined && object[field] !== null;
}

// `label` is the field's path in diagnostics, e.g. "payload.statements[2].sql".
export function requiredString(object, field, { label = `payload.${field}`, allowEmpty = false } = {}) {
  const value = object[field];
  if (!has(object, field)) throw new CommandFailure(`${label} is required`);
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw new CommandFailure(`${label} must be a ${allowEmpty ? '' : 'non-empty '}string`);
  }
  return value;
}

export function optionalString(object, field, { label = `payload.${field}` } = {}) {
  if (!has(object, field)) return undefined;
  if (typeof object[field] !== 'string') throw new CommandFailure(`${label} must be a string`);
  return object[field];
}

export function optionalInteger(object, field, { min, max, label = `payload.${field}` } = {}) {
  if (!has(object, field)) return undefined;
  const value = object[field];
  const range = `${min ?? '-∞'}..${max ?? '∞'}`;
  if (!Number.isInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw new CommandFailure(`${label} must be an integer in ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function optionalEnum(object, field, allowed, { label = `payload.${field}` } = {}) {
  if (!has(object, field)) return undefined;
  if (!allowed.includes(object[field])) {
    throw new CommandFailure(`${label} must be one of ${allowed.map((v) => `"${v}"`).join(', ')}, got ${JSON.stringify(object[field])}`);
  }
  return object[field];
}

export function optionalObject(object, field, { label = `payload.${field}` } = {}) {
  if (!has(object, field)) return undefined;
  if (!isPlainObject(object[field])) throw new CommandFailure(`${label} must be a JSON object`);
  return object[field];
}

export function requiredArray(object, field, { minLength = 0, maxLength = Infinity, label = `payload.${field}` } = {}) {
  if (!has(object, field)) throw new CommandFailure(`${label} is required`);
  const value = object[field];
  if (!Array.isArray(value)) throw new CommandFailure(`${label} must be an array`);
  if (value.length < minLength || value.length > maxLength) {
    const most = Number.isFinite(maxLength) ? ` and at most ${maxLength}` : '';
    throw new CommandFailure(`${label} must hold at least ${minLength}${most} entries, got ${value.length}`);
  }
  return value;
}

// Options of kv.list and r2.list: the named optional strings and a limit of 1..maxLimit.
export function listOptions(object, stringFields, maxLimit) {
  const options = {};
  for (const field of stringFields) {
    const value = optionalString(object, field);
    if (value !== undefined) options[field] = value;
  }
  const limit = optionalInteger(object, 'limit', { min: 1, max: maxLimit });
  if (limit !== undefined) options.limit = limit;
  return options;
}

// A present field, whatever its JSON type (null included).
export function requiredValue(object, field, { label = `payload.${field}` } = {}) {
  if (!Object.hasOwn(object, field) || object[field] === undefined) throw new CommandFailure(`${label} is required`);
  return object[field];
}

// Bytes travel as standard base64 with padding (RFC 4648 §4); anything else is refused rather
// than guessed at, so both hosts agree on what a body is.
export function decodeBase64(text, label) {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new CommandFailure(`${label} is not valid base64`);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function encodeBase64(bytes) {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}
