// XEP-0393 message styling: a styled message from natter-bot renders as strong / em / s / code /
// pre / blockquote elements whose text is the message's own (directives and markers kept, as
// the XEP recommends), markup inside stays text, links work outside code, and <unstyled/> turns
// it all off. Rendering does not depend on the transport: WebSocket only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBot } from '../lib/bot.mjs';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { TRANSPORT } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
const SKIP = TRANSPORT !== 'websocket' ? 'styling is rendering only; runs in the WebSocket combinations' : false;

let server, site, browser;

before(async () => {
  if (SKIP) return;
  [server, site, browser] = await Promise.all([
    startServer({ users: [['alice', 'wonderland'], ['bob', 'builder']] }),
    serveDist(),
    launch(),
  ]);
});

after(async () => {
  await Promise.allSettled([browser?.close(), site?.close(), server?.stop()]);
});

/** What one message article holds: its text, and each element of interest's tag and text. */
function anatomy(article) {
  return article.evaluate((el) => {
    const tags = ['STRONG', 'EM', 'S', 'CODE', 'PRE', 'BLOCKQUOTE', 'A', 'SCRIPT', 'B', 'IMG'];
    const parts = [...el.querySelectorAll(tags.join(','))].map((e) => ({
      tag: e.tagName.toLowerCase(),
      text: e.textContent,
      inside: e.parentElement.closest('pre, code, blockquote, strong')?.tagName.toLowerCase() ?? null,
      href: e.getAttribute('href'),
    }));
    return { parts, text: el.textContent };
  });
}

const norm = (s) => s.replace(/\s+/g, ' ').trim();
const tagged = (parts, tag) => parts.filter((p) => p.tag === tag);

test('a styled message renders as DOM elements holding its text', { timeout: 90_000, skip: SKIP }, async () => {
  const page = await newPage(browser);
  let bot;
  try {
    await open(page, site.url);
    await signIn(page, { ...ALICE, service: server.url });
    const u = ui(page);
    bot = await startBot({ url: server.ws, ...BOB, resource: 'styler' });
    await u.contact(BOB.jid).click();
    await u.messages.waitFor();

    const body = [
      '*bold* and _it_ and ~gone~ and `<i>code</i>` see https://example.org/x',
      '> quoted *deep* <img src=x onerror=alert(1)>',
      '>> twice',
      '```js',
      '<script>alert(1)</script> *not bold* https://example.org/in-pre',
      '```',
      '*<b>x</b>* _<script>alert(2)</script>_',
    ].join('\n');
    bot.send(`sendtext ${ALICE.jid} ${JSON.stringify(body)}`);
    const article = u.messagesFrom(BOB.jid).filter({ hasText: 'twice' });
    await article.waitFor({ timeout: 10_000 });
    const { parts, text } = await anatomy(article);

    // Nothing of the body is lost: directives, markers and fences stay in the text.
    // (The article's text goes on with the time after the body.)
    assert.ok(text.startsWith(body), `the rendered text is the message: ${JSON.stringify(text)}`);
    assert.deepEqual(tagged(parts, 'strong').map((p) => p.text), ['*bold*', '*deep*', '*<b>x</b>*']);
    assert.deepEqual(tagged(parts, 'em').map((p) => p.text), ['_it_', '_<script>alert(2)</script>_']);
    assert.deepEqual(tagged(parts, 's').map((p) => p.text), ['~gone~']);
    assert.deepEqual(tagged(parts, 'code').map((p) => p.text), ['`<i>code</i>`']);
    const pre = tagged(parts, 'pre');
    assert.equal(pre.length, 1, 'one preformatted block');
    assert.match(pre[0].text, /^```js\n<script>alert\(1\)<\/script> \*not bold\* https:\/\/example\.org\/in-pre\n```$/);
    // Quotes nest; spans work inside them.
    const quotes = tagged(parts, 'blockquote');
    assert.equal(quotes.length, 2, 'a quotation with one nested inside');
    assert.match(quotes[0].text, /quoted \*deep\*/);
    assert.equal(quotes[1].inside, 'blockquote');
    assert.match(quotes[1].text, /twice/);
    assert.equal(tagged(parts, 'strong').find((p) => p.text === '*deep*').inside, 'blockquote');
    // Markup is text everywhere: no element came from the message's angle brackets.
    for (const tag of ['script', 'b', 'img']) assert.equal(tagged(parts, tag).length, 0, `no <${tag}> element`);
    // Links outside code and pre only.
    assert.deepEqual(tagged(parts, 'a').map((p) => [p.href, p.inside]), [['https://example.org/x', null]]);
    // The roles a screen reader gets (the directives themselves are hidden from it).
    assert.equal(await article.getByRole('strong').first().textContent(), '*bold*');
    assert.equal(await article.getByRole('blockquote').count(), 2);

    // <unstyled/>: the sender asked for plain text.
    bot.send(`sendunstyled ${ALICE.jid} ${JSON.stringify('*as typed* _really_\n> not a quote')}`);
    const plain = u.messagesFrom(BOB.jid).filter({ hasText: 'as typed' });
    await plain.waitFor({ timeout: 10_000 });
    const unstyled = await anatomy(plain);
    assert.deepEqual(unstyled.parts, [], 'no styled element in an unstyled message');
    assert.ok(norm(unstyled.text).startsWith('*as typed* _really_ > not a quote'), unstyled.text);
    assertNoPageErrors(page, assert);
  } finally {
    await bot?.stop();
    await page.context().close();
  }
});
