// Renders the app's PNG icons from the SVG masters in assets/icons/ with Debian's Chromium
// (playwright-core, no browser download). Run once after changing an SVG and commit the PNGs:
//
//   node e2e/tools/render-icons.mjs
//
// Chromium's installability check wants PNG icons of at least 144 px in the web app manifest
// (an SVG alone is not enough everywhere), hence 192 and 512, plus a maskable 512 for platforms
// that cut their own icon shape.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../lib/browser.mjs';

const ICONS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'icons');
const OUTPUTS = [
  ['natter.svg', 192, 'natter-192.png'],
  ['natter.svg', 512, 'natter-512.png'],
  ['natter-maskable.svg', 512, 'natter-maskable-512.png'],
];

const browser = await launch();
try {
  for (const [svg, size, png] of OUTPUTS) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const src = `data:image/svg+xml;base64,${readFileSync(join(ICONS, svg)).toString('base64')}`;
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><img alt="" width="${size}" height="${size}"></body></html>`);
    // Set after parsing so that the load can be awaited.
    await page.locator('img').evaluate((img, url) => new Promise((ok, fail) => {
      img.onload = ok;
      img.onerror = () => fail(new Error('the SVG did not load'));
      img.src = url;
    }), src);
    const bytes = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    writeFileSync(join(ICONS, png), bytes);
    console.log(`${png}: ${size}×${size}, ${bytes.length} bytes`);
    await page.close();
  }
} finally {
  await browser.close();
}
