// queue.send / queue.send_batch against a Queue producer binding. Bodies are sent with content
// type "json" so consumers in any language can read them.
import { bindingCommand } from './bindings.js';
import { CommandFailure, isPlainObject, optionalInteger, requiredArray, requiredValue } from './payload.js';

const MAX_DELAY_SECONDS = 43200; // Cloudflare's limit: 12 hours
const MAX_BATCH = 100;

function message(object, label) {
  const body = requiredValue(object, 'body', { label: `${label}.body` });
  const delaySeconds = optionalInteger(object, 'delay_seconds', { min: 0, max: MAX_DELAY_SECONDS, label: `${label}.delay_seconds` });
  const options = { contentType: 'json' };
  if (delaySeconds !== undefined) options.delaySeconds = delaySeconds;
  return { body, options };
}

async function send(queue, p) {
  const { body, options } = message(p, 'payload');
  await queue.send(body, options);
  return null;
}

async function sendBatch(queue, p) {
  const messages = requiredArray(p, 'messages', { minLength: 1, maxLength: MAX_BATCH }).map((entry, index) => {
    const label = `payload.messages[${index}]`;
    if (!isPlainObject(entry)) throw new CommandFailure(`${label} must be a JSON object`);
    const { body, options } = message(entry, label);
    return { body, ...options };
  });
  await queue.sendBatch(messages);
  return null;
}

export const queueCommands = {
  'queue.send': bindingCommand('queue', send),
  'queue.send_batch': bindingCommand('queue', sendBatch),
};
