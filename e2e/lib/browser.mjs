// Debian's Chromium through playwright-core (no browser download), plus the UI steps the tests
// share. Elements are found ONLY by ARIA role and accessible name (shared/ui-contract.md).
import { chromium } from 'playwright-core';
import { TRANSPORT_NAME, eventually } from './env.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A fresh context and page; `page.natterErrors` collects uncaught page errors (wasm panics),
 * `page.natterCsp` every Content-Security-Policy violation (the `securitypolicyviolation` event
 * and Chromium's "Refused to …" console errors). assertNoPageErrors fails on either.
 */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return watchPage(await context.newPage());
}

/** Starts collecting `page`'s errors and CSP violations as newPage() does (for pages made elsewhere). */
export async function watchPage(page) {
  page.natterErrors = [];
  page.natterConsole = [];
  page.natterCsp = [];
  await watchCsp(page, (v) => page.natterCsp.push(v));
  page.on('pageerror', (e) => page.natterErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') page.natterConsole.push(m.text());
    if (/Content Security Policy/i.test(m.text())) page.natterCsp.push(`console: ${m.text()}`);
  });
  return page;
}

/**
 * Calls `report(text)` for every `securitypolicyviolation` in `page` (and its frames), from
 * before the page's first script. The binding is Playwright's, outside the page's CSP.
 */
export async function watchCsp(page, report) {
  await page.exposeBinding('__natterCspViolation', (_source, v) => report(
    `${v.directive} blocked ${v.blocked || '(inline)'} at ${v.source}:${v.line} ${v.sample ? JSON.stringify(v.sample) : ''}`.trim()));
  await page.addInitScript(() => {
    addEventListener('securitypolicyviolation', (e) => {
      globalThis.__natterCspViolation?.({
        directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
        line: e.lineNumber, sample: e.sample,
      });
    }, true);
  });
}

export const ui = (page) => ({
  form: page.getByRole('form', { name: 'Sign in' }),
  address: page.getByRole('textbox', { name: 'Address' }),
  password: page.getByRole('textbox', { name: 'Password' }),
  service: page.getByRole('textbox', { name: 'Connection URL' }),
  signIn: page.getByRole('button', { name: 'Sign in' }),
  signOut: page.getByRole('button', { name: 'Sign out' }),
  status: page.getByRole('status', { name: 'Connection' }),
  alert: page.getByRole('alert'),
  contacts: page.getByRole('list', { name: 'Contacts' }),
  filter: page.getByRole('textbox', { name: 'Filter contacts' }),
  messages: page.getByRole('log', { name: 'Messages' }),
  composer: page.getByRole('textbox', { name: 'Message' }),
  send: page.getByRole('button', { name: 'Send' }),
  /** The roster item of `jid` (a listitem of Contacts carrying data-jid). */
  contact: (jid) => page.getByRole('list', { name: 'Contacts' }).getByRole('listitem')
    .and(page.locator(`[data-jid="${jid}"]`)),
  /** Message articles in the open conversation from `jid`. */
  messagesFrom: (jid) => page.getByRole('log', { name: 'Messages' }).getByRole('article')
    .and(page.locator(`[data-from="${jid}"]`)),
});

/** Opens the app and waits for the sign-in form. */
export async function open(page, url) {
  await page.goto(url);
  await ui(page).form.waitFor({ timeout: 20_000 });
}

/** Fills the sign-in form and submits it (does not wait for the outcome). */
export async function submitSignIn(page, { jid, password, service }) {
  const u = ui(page);
  await u.address.fill(jid);
  await u.password.fill(password);
  if (service !== undefined) await u.service.fill(service);
  await u.signIn.click();
}

/** Waits until the Connection status says Connected. */
export async function connected(page, timeout = 20_000) {
  const u = ui(page);
  await eventually(async () => /\bConnected\b/.test((await u.status.textContent({ timeout: 1000 })) ?? ''), {
    timeout,
    message: 'status "Connection" to say Connected',
  }).catch(async (e) => {
    const alert = await u.alert.allTextContents().catch(() => []);
    e.message += `\nalerts: ${JSON.stringify(alert)}\npage errors: ${JSON.stringify(page.natterErrors)}` +
      `\nconsole errors: ${JSON.stringify(page.natterConsole.slice(-10))}`;
    throw e;
  });
}

/**
 * Signs in and waits until Connected; then checks that the status names `transport` (by default
 * the transport under test, NATTER_E2E_TRANSPORT; `null` skips the check).
 */
export async function signIn(page, creds, { transport = TRANSPORT_NAME, timeout = 20_000 } = {}) {
  await submitSignIn(page, creds);
  await connected(page, timeout);
  if (transport) await usesTransport(page, transport);
}

/** Fails unless the Connection status names `transport` (`WebSocket` or `BOSH`). */
export async function usesTransport(page, transport = TRANSPORT_NAME) {
  const status = (await ui(page).status.textContent()) ?? '';
  if (!new RegExp(`\\b${transport}\\b`).test(status)) {
    throw new Error(`status "Connection" should name ${transport}: ${JSON.stringify(status)}`);
  }
}

/** Fails if the page threw (e.g. a wasm panic) or broke its Content-Security-Policy. */
export function assertNoPageErrors(page, assert) {
  assert.deepEqual(page.natterErrors, [], 'uncaught errors in the page');
  assert.deepEqual(page.natterCsp ?? [], [], 'Content-Security-Policy violations');
}
