// Starts the C++ example app (containerflare-basic) on 127.0.0.1 for the integration test.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { WORKER_DIR } from './wrangler-config.js';

export function appBinaryPath() {
  return process.env.CONTAINERFLARE_BASIC_BIN || resolve(WORKER_DIR, '../build/app/containerflare-basic');
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

// Resolves once the app logs that it listens (its JSON log line "listening" on stderr); rejects
// if it exits first or does not get there within `timeoutMs`.
export async function startApp(env = {}, timeoutMs = 15000) {
  const binary = appBinaryPath();
  if (!existsSync(binary)) {
    throw new Error(`containerflare-basic not found at ${binary}: build it (meson compile -C build containerflare-basic) or set CONTAINERFLARE_BASIC_BIN`);
  }
  const port = await freePort();
  const child = spawn(binary, [], {
    env: { PATH: process.env.PATH, PORT: String(port), CF_CONTAINER_ADDR: '127.0.0.1', CF_LOG_FORMAT: 'json', CF_LOG: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const app = { port, child, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => { app.stdout += chunk; });
  await new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not log "listening" within ${timeoutMs} ms:\n${app.stderr}`)), timeoutMs);
    child.stderr.on('data', (chunk) => {
      app.stderr += chunk;
      if (/"listening"/.test(app.stderr)) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${signal ?? code}) before listening:\n${app.stderr}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return app;
}

export async function stopApp(app) {
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise((resolveExit) => app.child.once('exit', resolveExit));
  app.child.kill('SIGTERM');
  await exited;
}
