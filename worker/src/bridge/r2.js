// r2.get / r2.head / r2.put / r2.delete / r2.list against an R2 bucket binding. Bodies travel as
// base64; metadata field names are snake_case on the wire.
import { bindingCommand } from './bindings.js';
import {
  CommandFailure, decodeBase64, encodeBase64, listOptions, optionalObject, requiredArray, requiredString,
} from './payload.js';

const MAX_LIST_LIMIT = 1000;
const MAX_DELETE_KEYS = 1000;

// wire name -> R2 HTTPMetadata name
const HTTP_METADATA_FIELDS = {
  content_type: 'contentType',
  content_language: 'contentLanguage',
  content_disposition: 'contentDisposition',
  content_encoding: 'contentEncoding',
  cache_control: 'cacheControl',
  cache_expiry: 'cacheExpiry',
};

function httpMetadataFromWire(object) {
  const metadata = {};
  for (const [field, value] of Object.entries(object)) {
    const label = `payload.http_metadata.${field}`;
    if (!Object.hasOwn(HTTP_METADATA_FIELDS, field)) {
      throw new CommandFailure(`${label} is not one of ${Object.keys(HTTP_METADATA_FIELDS).join(', ')}`);
    }
    if (typeof value !== 'string') throw new CommandFailure(`${label} must be a string`);
    if (field === 'cache_expiry') {
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) throw new CommandFailure(`${label} must be an ISO 8601 date`);
      metadata.cacheExpiry = date;
    } else {
      metadata[HTTP_METADATA_FIELDS[field]] = value;
    }
  }
  return metadata;
}

function httpMetadataToWire(metadata = {}) {
  const wire = {};
  for (const [field, name] of Object.entries(HTTP_METADATA_FIELDS)) {
    const value = metadata[name];
    if (value === undefined || value === null) continue;
    wire[field] = value instanceof Date ? value.toISOString() : value;
  }
  return wire;
}

function customMetadataFromWire(object) {
  for (const [field, value] of Object.entries(object)) {
    if (typeof value !== 'string') throw new CommandFailure(`payload.custom_metadata.${field} must be a string`);
  }
  return object;
}

function summary(object) {
  return {
    key: object.key,
    size: object.size,
    etag: object.etag,
    version: object.version,
    uploaded: object.uploaded.toISOString(),
  };
}

function objectInfo(object) {
  return {
    ...summary(object),
    http_etag: object.httpEtag,
    http_metadata: httpMetadataToWire(object.httpMetadata),
    custom_metadata: { ...(object.customMetadata ?? {}) },
  };
}

async function get(bucket, p) {
  const object = await bucket.get(requiredString(p, 'key'));
  if (object === null) return null;
  const body = new Uint8Array(await object.arrayBuffer());
  return { ...objectInfo(object), body_base64: encodeBase64(body) };
}

async function head(bucket, p) {
  const object = await bucket.head(requiredString(p, 'key'));
  return object === null ? null : objectInfo(object);
}

async function put(bucket, p) {
  const key = requiredString(p, 'key');
  const body = decodeBase64(requiredString(p, 'body_base64', { allowEmpty: true }), 'payload.body_base64');
  const options = {};
  const httpMetadata = optionalObject(p, 'http_metadata');
  if (httpMetadata !== undefined) options.httpMetadata = httpMetadataFromWire(httpMetadata);
  const customMetadata = optionalObject(p, 'custom_metadata');
  if (customMetadata !== undefined) options.customMetadata = customMetadataFromWire(customMetadata);
  return objectInfo(await bucket.put(key, body, options));
}

// {key} deletes one object, {keys:[...]} several; deleting a missing key is not an error.
async function remove(bucket, p) {
  if (Object.hasOwn(p, 'keys') && Object.hasOwn(p, 'key')) {
    throw new CommandFailure('give payload.key or payload.keys, not both');
  }
  if (Object.hasOwn(p, 'keys')) {
    const keys = requiredArray(p, 'keys', { minLength: 1, maxLength: MAX_DELETE_KEYS });
    keys.forEach((key, index) => {
      if (typeof key !== 'string' || key === '') throw new CommandFailure(`payload.keys[${index}] must be a non-empty string`);
    });
    await bucket.delete(keys);
  } else {
    await bucket.delete(requiredString(p, 'key'));
  }
  return null;
}

async function list(bucket, p) {
  const result = await bucket.list(listOptions(p, ['prefix', 'cursor', 'delimiter'], MAX_LIST_LIMIT));
  const reply = {
    objects: result.objects.map(summary),
    truncated: result.truncated,
    delimited_prefixes: result.delimitedPrefixes ?? [],
  };
  if (result.truncated) reply.cursor = result.cursor;
  return reply;
}

export const r2Commands = {
  'r2.get': bindingCommand('r2', get),
  'r2.head': bindingCommand('r2', head),
  'r2.put': bindingCommand('r2', put),
  'r2.delete': bindingCommand('r2', remove),
  'r2.list': bindingCommand('r2', list, { nullPayload: true }),
};

