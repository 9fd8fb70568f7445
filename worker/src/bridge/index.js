// The command bridge: the container's CF_CMD_ENDPOINT=http://containerflare.internal POSTs one
// request per command here (PROTOCOL.md §2) and gets {id, ok, payload, diagnostic} back.
// Every failure — unknown command, missing binding, bad payload, a binding that throws — is a
// 200 reply with ok:false and a diagnostic; nothing escapes as an exception.
import { logEvent } from '../log.js';
import { d1Commands } from './d1.js';
import { kvCommands } from './kv.js';
import { isPlainObject } from './payload.js';
import { queueCommands } from './queue.js';
import { r2Commands } from './r2.js';

const ping = async () => ({ pong: true });

export const COMMANDS = new Map(Object.entries({
  ping,
  health_check: ping,
  ...kvCommands,
  ...d1Commands,
  ...r2Commands,
  ...queueCommands,
}));

function failure(id, command, diagnostic) {
  logEvent('warn', 'command failed', { command, diagnostic });
  return { id, ok: false, payload: null, diagnostic };
}

// `message` is the parsed request object.
export async function runCommand(env, message) {
  if (!isPlainObject(message)) return failure(null, null, 'request must be a JSON object');
  const id = message.id ?? null;
  const { command } = message;
  if (typeof command !== 'string' || command === '') {
    return failure(id, null, 'request has no "command" string');
  }
  const handler = COMMANDS.get(command);
  if (handler === undefined) return failure(id, command, `unknown command "${command}"`);
  try {
    const payload = await handler(env, message.payload ?? null);
    return { id, ok: true, payload: payload ?? null, diagnostic: null };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failure(id, command, `${command}: ${reason}`);
  }
}

export async function runCommandText(env, text) {
  let message;
  try {
    message = JSON.parse(text);
  } catch (error) {
    return failure(null, null, `request is not valid JSON: ${error.message}`);
  }
  return runCommand(env, message);
}

export async function handleBridgeRequest(request, env) {
  if (request.method !== 'POST') {
    return new Response('the containerflare command bridge takes POST requests\n', {
      status: 405,
      headers: { allow: 'POST' },
    });
  }
  return Response.json(await runCommandText(env, await request.text()));
}
