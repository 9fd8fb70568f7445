// Reads the Worker's variables into typed settings. An invalid value is an error that names the
// variable (the Worker answers 500 with it) — never a silent fallback to a default.

export const DEFAULT_PORT = 8787;
export const DEFAULT_SLEEP_AFTER = '10m';
export const BRIDGE_HOST = 'containerflare.internal';
export const BRIDGE_ENDPOINT = `http://${BRIDGE_HOST}`;

export class ConfigError extends Error {
  constructor(variable, problem) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

// Wrangler passes `vars` as strings (or JSON values); unset means undefined. An empty string
// counts as unset so that `"VAR": ""` in a config can switch a feature off.
export function readVar(env, name) {
  const value = env[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ConfigError(name, `must be a string, got ${typeof value}`);
  }
  return String(value).trim();
}

// Header values may hold only visible ASCII and spaces; a secret outside that set could not be
// sent in x-containerflare-auth.
export function sharedSecret(env) {
  const secret = readVar(env, 'CONTAINERFLARE_SHARED_SECRET');
  if (secret === undefined) return undefined;
  if (!/^[\x21-\x7e]+$/.test(secret)) {
    throw new ConfigError('CONTAINERFLARE_SHARED_SECRET', 'must be printable ASCII without spaces');
  }
  return secret;
}

export function workerName(env) {
  return readVar(env, 'CONTAINERFLARE_WORKER') ?? null;
}

// `sleepAfter` in the format @cloudflare/containers accepts: a number of seconds or "<n>s|m|h".
export function sleepAfter(env) {
  const value = readVar(env, 'CONTAINERFLARE_SLEEP_AFTER');
  if (value === undefined) return DEFAULT_SLEEP_AFTER;
  if (/^\d+$/.test(value)) return Number(value);
  if (/^\d+[smh]$/.test(value)) return value;
  throw new ConfigError('CONTAINERFLARE_SLEEP_AFTER', `must look like 90, 30s, 10m or 2h, got "${value}"`);
}

// Environment given to the container process. Any Worker variable named CF_* (CF_LOG,
// CF_WORKERS, CF_CMD_TIMEOUT_MS, ...) is passed through, so the runtime is tuned from the
// Wrangler config; CF_CMD_ENDPOINT defaults to the Worker's command bridge.
export function containerEnvVars(env) {
  const vars = { CF_CMD_ENDPOINT: BRIDGE_ENDPOINT };
  for (const name of Object.keys(env)) {
    if (name.startsWith('CF_')) {
      const value = readVar(env, name);
      if (value !== undefined) vars[name] = value;
    }
  }
  const name = workerName(env);
  if (name !== null) vars.CONTAINERFLARE_WORKER = name;
  const secret = sharedSecret(env);
  if (secret !== undefined) vars.CONTAINERFLARE_SHARED_SECRET = secret;
  return vars;
}

// Options for the Container base class constructor.
export function containerOptions(env) {
  return {
    defaultPort: DEFAULT_PORT,
    sleepAfter: sleepAfter(env),
    envVars: containerEnvVars(env),
  };
}
