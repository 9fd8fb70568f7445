// wrangler.jsonc and the settings read from the Worker's variables.
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { BRIDGE_ENDPOINT, ConfigError, DEFAULT_PORT, containerOptions } from '../src/config.js';
import { CONTAINER_BINDING } from '../src/worker.js';
import { BUNDLE_OPTIONS } from './support/miniflare.js';
import { WORKER_DIR, readWranglerConfig, stripJsonc } from './support/wrangler-config.js';

const CLASS_NAME = 'ContainerflareContainer';

describe('wrangler.jsonc', () => {
  const config = readWranglerConfig();

  test('defines the container: image, build context at the repository root, limits', () => {
    assert.equal(config.containers.length, 1);
    const [container] = config.containers;
    assert.equal(container.class_name, CLASS_NAME);
    assert.equal(container.image, '../container/Dockerfile');
    assert.equal(resolve(WORKER_DIR, container.image_build_context), resolve(WORKER_DIR, '..'));
    assert.ok(existsSync(resolve(WORKER_DIR, container.image)), 'the Dockerfile exists');
    assert.ok(existsSync(resolve(WORKER_DIR, container.image_build_context, 'meson.build')), 'the build context is the repository root');
    assert.ok(Number.isInteger(container.max_instances) && container.max_instances >= 1);
    assert.ok(['lite', 'basic', 'standard-1', 'standard-2', 'standard-3', 'standard-4'].includes(container.instance_type));
  });

  test('binds the Durable Object and migrates it as a SQLite class', () => {
    assert.deepEqual(config.durable_objects.bindings, [{ name: CONTAINER_BINDING, class_name: CLASS_NAME }]);
    assert.ok(config.migrations.some((migration) => migration.new_sqlite_classes?.includes(CLASS_NAME)));
  });

  test('keeps logs and names the worker', () => {
    assert.equal(config.observability.enabled, true);
    assert.equal(typeof config.vars.CONTAINERFLARE_WORKER, 'string');
  });

  test('the compatibility date gives the Container class ctx.exports (2025-11-17 or later)', () => {
    assert.match(config.compatibility_date, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(config.compatibility_date >= '2025-11-17', config.compatibility_date);
  });

  test('the bridge bindings use the default names', () => {
    assert.deepEqual(config.kv_namespaces.map((b) => b.binding), ['KV']);
    assert.deepEqual(config.d1_databases.map((b) => b.binding), ['DB']);
    assert.deepEqual(config.r2_buckets.map((b) => b.binding), ['BUCKET']);
  });

  test('the entry module exports the handler, the Container class and ContainerProxy', async () => {
    const result = await build({ ...BUNDLE_OPTIONS, entryPoints: [resolve(WORKER_DIR, config.main)], metafile: true, outfile: 'index.js' });
    const [output] = Object.values(result.metafile.outputs);
    assert.deepEqual([...output.exports].sort(), [CLASS_NAME, 'ContainerProxy', 'default'].sort());
  });

  test('stripJsonc keeps comment markers inside strings', () => {
    assert.deepEqual(JSON.parse(stripJsonc('{"url": "http://a/*b*/", // c\n "x": [1, 2,], /* d */ }')), { url: 'http://a/*b*/', x: [1, 2] });
  });
});

describe('containerOptions', () => {
  test('defaults: port 8787, sleep after 10m, the command bridge endpoint', () => {
    assert.deepEqual(containerOptions({}), { defaultPort: DEFAULT_PORT, sleepAfter: '10m', envVars: { CF_CMD_ENDPOINT: BRIDGE_ENDPOINT } });
    assert.equal(DEFAULT_PORT, 8787);
    assert.equal(BRIDGE_ENDPOINT, 'http://containerflare.internal');
  });

  test('passes the worker name, the secret and CF_* variables to the container', () => {
    const options = containerOptions({
      CONTAINERFLARE_WORKER: 'shop',
      CONTAINERFLARE_SHARED_SECRET: 'abc',
      CONTAINERFLARE_SLEEP_AFTER: '90',
      CF_LOG: 'debug',
      CF_CMD_ENDPOINT: 'disabled',
      CF_EMPTY: '',
      OTHER: 'not passed',
      KV: {},
    });
    assert.equal(options.sleepAfter, 90);
    assert.deepEqual(options.envVars, {
      CF_CMD_ENDPOINT: 'disabled',
      CF_LOG: 'debug',
      CONTAINERFLARE_WORKER: 'shop',
      CONTAINERFLARE_SHARED_SECRET: 'abc',
    });
  });

  test('sleep after accepts seconds or s/m/h and names the variable otherwise', () => {
    assert.equal(containerOptions({ CONTAINERFLARE_SLEEP_AFTER: '2h' }).sleepAfter, '2h');
    for (const bad of ['10 minutes', '5d', '-1', '1.5m']) {
      assert.throws(() => containerOptions({ CONTAINERFLARE_SLEEP_AFTER: bad }),
        (error) => error instanceof ConfigError && error.message.includes('CONTAINERFLARE_SLEEP_AFTER'), bad);
    }
  });
});
