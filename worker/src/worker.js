// The Worker's fetch handler: validate the configuration, pick an instance, attach metadata and
// hand the request to that instance's Durable Object, which proxies it into the container.
// Kept free of @cloudflare/containers so tests can bind any Durable Object class as CONTAINER.
import { ConfigError, containerOptions } from './config.js';
import { logEvent } from './log.js';
import { containerRequest } from './metadata.js';
import { instanceName, routingConfig } from './routing.js';

export const CONTAINER_BINDING = 'CONTAINER';

export async function handleFetch(request, env) {
  let routing;
  try {
    routing = routingConfig(env);
    containerOptions(env); // validates the container settings before any instance starts
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logEvent('error', 'invalid configuration', { variable: error.variable, error: error.message });
    return new Response(`containerflare configuration error: ${error.message}\n`, { status: 500 });
  }
  const namespace = env[CONTAINER_BINDING];
  const stub = namespace.get(namespace.idFromName(instanceName(request, routing)));
  // Durable Object fetch (not RPC), so WebSocket upgrades and streamed bodies pass through.
  return stub.fetch(containerRequest(request, env));
}

export default { fetch: handleFetch };
