// Structured logs. Workers Logs (observability) indexes the fields of an object passed to
// console.*, so every line is one object with a level and a message.
export function logEvent(level, message, fields = {}) {
  const entry = { level, message, ...fields };
  if (level === 'error') console.error(entry);
  else if (level === 'warn') console.warn(entry);
  else console.log(entry);
}
