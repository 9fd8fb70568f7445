// Starts the test Worker in Miniflare with real local KV, D1, R2 and Queues.
import './node-compat.js';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { readWranglerConfig } from './wrangler-config.js';

const TEST_WORKER = fileURLToPath(new URL('./test-worker.js', import.meta.url));
export const QUEUE_NAME = 'containerflare-jobs';

// request.cf for requests that do not bring their own; also stops Miniflare from fetching
// Cloudflare's cf.json over the network.
export const DEFAULT_CF = {
  colo: 'FRA',
  country: 'DE',
  region: 'Hesse',
  regionCode: 'HE',
  city: 'Frankfurt am Main',
  continent: 'EU',
  timezone: 'Europe/Berlin',
  asn: 64496,
  asOrganization: 'Example Net',
  latitude: '50.11090',
  longitude: '8.68213',
  postalCode: '60311',
  httpProtocol: 'HTTP/2',
  tlsVersion: 'TLSv1.3',
};

// esbuild options that bundle the way Wrangler does: ES module output, cloudflare:* left to the
// runtime, packages resolved with the workerd conditions.
export const BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  external: ['cloudflare:*'],
  write: false,
  logLevel: 'silent',
};

let bundled;

export async function bundleTestWorker() {
  bundled ??= build({ ...BUNDLE_OPTIONS, entryPoints: [TEST_WORKER] }).then((result) => result.outputFiles[0].text);
  return bundled;
}

// `container` names the class bound as CONTAINER (InstanceProbe or ForwardToApp); `vars` are the
// Worker's variables and secrets; `cf` is request.cf. (Miniflare sends a per-request `cf` given to
// dispatchFetch in an HTTP header, which cannot carry non-ASCII text; this one can.) Worker
// console output goes to `logs` instead of the terminal.
export async function startWorker({ container = 'InstanceProbe', vars = {}, cf = DEFAULT_CF, logs = [] } = {}) {
  const config = readWranglerConfig();
  const mf = new Miniflare({
    modules: true,
    script: await bundleTestWorker(),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    cf,
    bindings: vars,
    kvNamespaces: ['KV'],
    d1Databases: ['DB'],
    r2Buckets: ['BUCKET'],
    queueProducers: { QUEUE: QUEUE_NAME },
    queueConsumers: { [QUEUE_NAME]: { maxBatchTimeout: 0 } },
    durableObjects: {
      CONTAINER: { className: container, useSQLite: true },
      QUEUE_SINK: { className: 'QueueSink', useSQLite: true },
    },
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) stream.on('data', (chunk) => logs.push(String(chunk)));
    },
  });
  await mf.ready;
  return mf;
}
