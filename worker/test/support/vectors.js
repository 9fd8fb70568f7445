// Runs test/vectors/commands.json against a command host. The format is described in the file's
// own "rules"; this is the reference runner (a C++ runner implements the same few rules).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VECTORS_PATH = fileURLToPath(new URL('../../../test/vectors/commands.json', import.meta.url));

export function loadVectors() {
  return JSON.parse(readFileSync(VECTORS_PATH, 'utf8'));
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const isMatcher = (value) => isObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((key) => key.startsWith('$'));

function typeName(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value, type) {
  if (type === 'integer') return Number.isInteger(value);
  return typeName(value) === type;
}

// Returns a list of mismatch descriptions (empty = match) and saves $capture values.
export function match(expected, actual, captures, path = '$') {
  if (isMatcher(expected)) {
    const problems = [];
    for (const [key, argument] of Object.entries(expected)) {
      switch (key) {
        case '$type': {
          const types = Array.isArray(argument) ? argument : [argument];
          if (!types.some((type) => hasType(actual, type))) problems.push(`${path}: expected type ${types.join('|')}, got ${JSON.stringify(actual)}`);
          break;
        }
        case '$contains':
          if (typeof actual !== 'string' || !actual.includes(argument)) problems.push(`${path}: expected a string containing ${JSON.stringify(argument)}, got ${JSON.stringify(actual)}`);
          break;
        case '$all':
          for (const inner of argument) problems.push(...match(inner, actual, captures, path));
          break;
        case '$absent':
          if (actual !== undefined && actual !== null) problems.push(`${path}: expected absent or null, got ${JSON.stringify(actual)}`);
          break;
        case '$capture':
          break;
        default:
          problems.push(`${path}: unknown matcher ${key}`);
      }
    }
    if (problems.length === 0 && expected.$capture !== undefined) captures[expected.$capture] = actual;
    return problems;
  }
  if (actual === undefined) return [`${path}: missing`];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected ${expected.length} entries, got ${actual.length}: ${JSON.stringify(actual)}`];
    return expected.flatMap((item, index) => match(item, actual[index], captures, `${path}[${index}]`));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([key, value]) => match(value, actual[key], captures, `${path}.${key}`));
  }
  return expected === actual ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

function substitute(value, captures) {
  if (isObject(value) && Object.keys(value).length === 1 && Object.hasOwn(value, '$var')) {
    if (!Object.hasOwn(captures, value.$var)) throw new Error(`no value saved under ${value.$var}`);
    return captures[value.$var];
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, captures));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, captures)]));
  return value;
}

// The rules every reply follows, whatever the step expects.
function envelopeProblems(reply) {
  if (!isObject(reply)) return [`reply is not an object: ${JSON.stringify(reply)}`];
  const keys = Object.keys(reply).sort().join(',');
  const problems = keys === 'diagnostic,id,ok,payload' ? [] : [`reply keys are ${keys}, expected diagnostic,id,ok,payload`];
  if (reply.ok === true && reply.diagnostic !== null) problems.push('ok:true with a diagnostic');
  if (reply.ok === false && (typeof reply.diagnostic !== 'string' || reply.diagnostic === '' || reply.payload !== null)) {
    problems.push('ok:false needs a non-empty diagnostic and a null payload');
  }
  if (typeof reply.ok !== 'boolean') problems.push('ok is not a boolean');
  return problems;
}

// `send(text)` delivers one request text to the host and resolves to the parsed reply.
// Returns [{case, step, note, problems}] for every step that did not match.
export async function runVectors(vectors, send) {
  const captures = {};
  const failures = [];
  let nextId = 1;
  for (const testCase of vectors.cases) {
    for (const [index, step] of testCase.steps.entries()) {
      let text;
      let expected = step.expect;
      if (Object.hasOwn(step, 'raw')) {
        text = step.raw;
      } else {
        const request = substitute(step.request, captures);
        if (!Object.hasOwn(request, 'id') && step.send_id !== false) {
          request.id = nextId++;
          expected = { id: request.id, ...expected };
        }
        text = JSON.stringify(request);
      }
      const reply = await send(text);
      const problems = [...envelopeProblems(reply), ...match(expected, reply, captures)];
      if (problems.length > 0) failures.push({ case: testCase.name, step: index, note: step.note, request: text, reply, problems });
    }
  }
  return failures;
}
