// d1.query / d1.exec / d1.batch against a D1 database binding.
import { bindingCommand } from './bindings.js';
import { CommandFailure, isPlainObject, requiredArray, requiredString } from './payload.js';

const MAX_BATCH = 1000;

function bindParams(statement, object, label) {
  if (object.params === undefined || object.params === null) return statement;
  const params = requiredArray(object, 'params', { label: `${label}.params` });
  params.forEach((value, index) => {
    const type = typeof value;
    if (value !== null && type !== 'string' && type !== 'number' && type !== 'boolean') {
      throw new CommandFailure(`${label}.params[${index}] must be a string, number, boolean or null`);
    }
  });
  return params.length === 0 ? statement : statement.bind(...params);
}

function prepare(db, object, label) {
  const sql = requiredString(object, 'sql', { label: `${label}.sql` });
  return bindParams(db.prepare(sql), object, label);
}

function queryResult(result) {
  return { results: result.results ?? [], meta: result.meta ?? {} };
}

async function query(db, p) {
  return queryResult(await prepare(db, p, 'payload').all());
}

async function exec(db, p) {
  const result = await db.exec(requiredString(p, 'sql'));
  return { count: result.count, duration: result.duration };
}

// D1 runs a batch as one transaction: when a statement fails, none of them takes effect.
async function batch(db, p) {
  const statements = requiredArray(p, 'statements', { minLength: 1, maxLength: MAX_BATCH }).map((entry, index) => {
    const label = `payload.statements[${index}]`;
    if (!isPlainObject(entry)) throw new CommandFailure(`${label} must be a JSON object`);
    return prepare(db, entry, label);
  });
  return (await db.batch(statements)).map(queryResult);
}

export const d1Commands = {
  'd1.query': bindingCommand('d1', query),
  'd1.exec': bindingCommand('d1', exec),
  'd1.batch': bindingCommand('d1', batch),
};
