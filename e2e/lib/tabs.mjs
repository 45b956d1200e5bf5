// A Chromium whose background tabs are really hidden, for the hidden-tab fault test.
//
// Playwright turns on focus emulation (`Emulation.setFocusEmulationEnabled`) for every page it
// opens, and with it every page stays `visible` whatever tab is in front (checked in Chromium
// 156: bringToFront, Browser.setWindowBounds minimized, Page.setWebLifecycleState and a focus
// emulation switched off in a second CDP session all leave `document.visibilityState` at
// `visible`). Playwright skips that override for the default context of a browser it connected
// to over CDP with `noDefaults`. So this module starts Debian's Chromium itself (headless, its
// own profile, a DevTools port on loopback) and connects to it that way: opening a second tab
// in the same window then makes the first one `hidden` (visibilitychange fires,
// requestAnimationFrame stops, timers are throttled to once a second), as for a user who
// switched tabs; bringToFront shows it again.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, watchCsp } from './browser.mjs';
import { exitedWithin } from './env.mjs';

export async function launchWithTabs() {
  const profile = mkdtempSync(join(tmpdir(), 'natter-tabs-'));
  const child = spawn(process.env.CHROMIUM || '/usr/bin/chromium', [
    '--headless', ...CHROMIUM_ARGS, '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0',
    `--user-data-dir=${profile}`, '--window-size=1280,900', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  // Its own process group: renderer and helper processes outlive the browser process for a
  // moment, write into the profile and hold our stderr pipe (which kept node from exiting).
  const killGroup = (signal) => {
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  };
  const exited = new Promise((r) => child.on('exit', r));
  let stderr = '';
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chromium: no DevTools endpoint within 30 s\n${stderr}`)), 30_000);
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = stderr.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`chromium exited (${code})\n${stderr}`)); });
  });
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
  const context = browser.contexts()[0];
  return {
    browser,
    context,
    /** A tab in the browser's one window (the page object as newPage() gives it). */
    async newTab() {
      const page = await context.newPage();
      page.natterErrors = [];
      page.natterConsole = [];
      page.natterCsp = [];
      await watchCsp(page, (v) => page.natterCsp.push(v));
      page.on('pageerror', (e) => page.natterErrors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') page.natterConsole.push(m.text());
      });
      return page;
    },
    async close() {
      await browser.close().catch(() => {});
      if (child.exitCode === null) child.kill('SIGTERM');
      await exitedWithin(exited, 5000);
      killGroup('SIGKILL');
      child.stderr.destroy();
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** `document.visibilityState` of `page`. */
export const visibility = (page) => page.evaluate(() => document.visibilityState);
