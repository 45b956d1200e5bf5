// Kept for scripts written against it: a Prosody regardless of NATTER_E2E_SERVER.
// New code uses startServer from ./server.mjs (the server under test).
import { startServer } from './server.mjs';

export function startProsody(options = {}) {
  return startServer({ ...options, kind: 'prosody' });
}
