// Where things are. `cargo xtask test` sets NATTER_XTASK, NATTER_BOT and NATTER_DIST; run by hand
// (`node --test e2e/tests/`), the fallbacks below build what is missing through cargo.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = process.env.NATTER_DIST || join(ROOT, 'dist');
export const DOMAIN = 'localhost';

// The e2e matrix: `cargo xtask test` runs the suite once per {WebSocket, BOSH} × {Prosody,
// ejabberd}, one node process per combination, with these two variables.
const pick = (name, allowed, fallback) => {
  const v = (process.env[name] || fallback).toLowerCase();
  if (!allowed.includes(v)) throw new Error(`${name}=${v}: expected one of ${allowed.join(', ')}`);
  return v;
};
/** `prosody` or `ejabberd` (NATTER_E2E_SERVER, default prosody). */
export const SERVER = pick('NATTER_E2E_SERVER', ['prosody', 'ejabberd'], 'prosody');
/** `websocket` or `bosh` (NATTER_E2E_TRANSPORT, default websocket). */
export const TRANSPORT = pick('NATTER_E2E_TRANSPORT', ['websocket', 'bosh'], 'websocket');
/** How the status names the transport (shared/ui-contract.md). */
export const TRANSPORT_NAME = TRANSPORT === 'bosh' ? 'BOSH' : 'WebSocket';
/** Human name of the server, e.g. for test titles. */
export const SERVER_NAME = SERVER === 'ejabberd' ? 'ejabberd' : 'Prosody';

const targetDir = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');

/** argv prefix that runs `xtask`. */
export function xtaskCommand() {
  if (process.env.NATTER_XTASK) return [process.env.NATTER_XTASK];
  return ['cargo', 'run', '--quiet', '--package', 'xtask', '--'];
}

/** argv prefix that runs `natter-bot`. */
export function botCommand() {
  if (process.env.NATTER_BOT) return [process.env.NATTER_BOT];
  const built = join(targetDir, 'debug', 'natter-bot');
  if (existsSync(built)) return [built];
  return ['cargo', 'run', '--quiet', '--package', 'natter-native', '--bin', 'natter-bot', '--'];
}

/** A TCP port nothing listens on right now (the kernel's choice). */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for `exited` (a promise) at most `ms`. The timer is cleared, so that it does not keep
 * node (and thus a whole test file) alive for `ms` after the process is gone.
 */
export function exitedWithin(exited, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    exited.then(() => { clearTimeout(t); resolve(); });
  });
}

/**
 * Polls `probe` until it returns a truthy value (returned) or `timeout` ms pass; then throws an
 * Error with `message` and the last value seen.
 */
export async function eventually(probe, { timeout = 10_000, interval = 50, message = 'condition' } = {}) {
  const start = Date.now();
  let last;
  let lastError;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - start > timeout) {
      const seen = lastError ? `; last error: ${lastError.message}` : `; last value: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${seen}`);
    }
    await sleep(interval);
  }
}
