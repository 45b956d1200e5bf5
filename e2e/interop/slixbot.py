#!/usr/bin/python3
"""slixbot: an independent XMPP client (slixmpp, Debian python3-slixmpp 1.8.3) for the interop
end-to-end tests. It is to Natter what Conversations or Gajim would be: another implementation
of the same XEPs, so a test can check that what Natter sends is understood elsewhere and that
what others send is understood by Natter.

    /usr/bin/python3 e2e/interop/slixbot.py --host 127.0.0.1 --port C2S --jid bob@localhost \
        --password builder [--resource slixbot]

Run it with Debian's /usr/bin/python3: the python3-slixmpp package installs into its
dist-packages, which another interpreter on PATH (pyenv) does not see.

Plain c2s on a loopback test server, no TLS (the test configs allow SASL without TLS; the
client refuses that anywhere but on a loopback address).

Every XEP goes through slixmpp's own plugin (stanza interfaces, never XML text). Where 1.8.3
lacks something, this file says so at the place it works around it (the XEP-0428 `for`
attribute, XEP-0424 version 1).

Output: one JSON object per line on stdout, `type` one of:
  online {jid}                         connected, roster fetched, presence sent
  failed {error}                       sign-in failed or the session ended with an error (exit 1)
  message {id, from, peer, body, mtype, origin_id, stanza_id, oob, reply, fallbacks, replace,
           receipt_requested, markable, chat_state}
  message_error {id, from, condition, text}
  receipt {from, peer, id}             XEP-0184 <received/>
  marker {from, peer, marker, id}      XEP-0333 received|displayed|acknowledged
  chat_state {from, peer, state}       XEP-0085
  correction {from, peer, id, replace, body}      XEP-0308
  retraction {from, peer, id, version}            XEP-0424 (:0 through fastening, or :1)
  reactions {from, peer, id, reactions}           XEP-0444 (every <reaction> as sent)
  avatar {from, peer, source, hash, type, bytes, width, height}  XEP-0084 metadata (source
                                       "pep") or XEP-0153 presence hash (source "vcard")
  nick {from, peer, nick}              XEP-0172
  block_push {action, jids}            XEP-0191 pushes from our server
  sent {cmd, id, to, ...}              a command's stanza went out (the id to refer to it by)
  done {cmd, ...}                      a command finished (uploads, IQs)
  error {cmd, error}                   a command failed (the bot keeps running)
  ended {}                             the stream closed after `quit`

Input: one JSON object per line on stdin, `cmd` one of (all `to` are JIDs; `id` optional on
sends, generated when absent):
  {"cmd":"send","to","body","id"?,"receipt"?:true,"markable"?:true,"state"?:"active"}
  {"cmd":"chat_state","to","state"}                  active|composing|paused|inactive|gone
  {"cmd":"marker","to","id","marker"?:"displayed","mtype"?:"chat"}   XEP-0333
  {"cmd":"correct","to","id","body"}                 XEP-0308, id = the original's
  {"cmd":"retract","to","id"}                        XEP-0424 (1.8.3: urn:xmpp:message-retract:0)
  {"cmd":"react","to","id","reactions":[...],"mtype"?:"chat"}   XEP-0444, the full set
  {"cmd":"reply","to","reply_to","id","body","quote"?}  XEP-0461; with `quote`, the body starts
                                                     with "> quote" and XEP-0428 marks it
  {"cmd":"upload","to","path","content_type"?,"name"?}  XEP-0363 upload, then body + XEP-0066
  {"cmd":"block","jid"} {"cmd":"unblock","jid"} {"cmd":"blocklist"}   XEP-0191
  {"cmd":"publish_avatar","path","content_type","width","height","vcard"?:false}  XEP-0084
                                                     (+ XEP-0153 vCard-temp when vcard)
  {"cmd":"vcard_avatar","path","content_type"}      XEP-0153 only: vCard-temp PHOTO + presence hash
  {"cmd":"fetch_avatar","jid","id"}                  XEP-0084 data → done {sha1, size}
  {"cmd":"nick","nick"}                              XEP-0172
  {"cmd":"presence","show"?,"status"?}
  {"cmd":"quit"}
End of input counts as quit. Exit status 0 after a clean end, 1 if the session failed.
"""

import argparse
import asyncio
import hashlib
import ipaddress
import json
import logging
import os
import socket
import sys
import threading
import uuid

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream import ET

FALLBACK_NS = 'urn:xmpp:fallback:0'
REPLY_NS = 'urn:xmpp:reply:0'
RETRACT1_NS = 'urn:xmpp:message-retract:1'

PLUGINS = [
    'xep_0030', 'xep_0060', 'xep_0115', 'xep_0163', 'xep_0199',
    'xep_0184', 'xep_0333', 'xep_0085', 'xep_0308', 'xep_0359', 'xep_0334',
    'xep_0422', 'xep_0424', 'xep_0428', 'xep_0444', 'xep_0461',
    'xep_0066', 'xep_0363', 'xep_0191',
    'xep_0054', 'xep_0084', 'xep_0153', 'xep_0172',
]


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + '\n')
    sys.stdout.flush()


def bare(jid):
    return str(slixmpp.JID(jid).bare) if jid else None


def is_loopback(host):
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


class Slixbot(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        # Test servers on loopback only (checked in main): SASL PLAIN without TLS.
        self['feature_mechanisms'].unencrypted_plain = True
        for name in PLUGINS:
            self.register_plugin(name)
        # XEP-0184: acknowledge every request (the plugin's default) and never add requests
        # on our own: the `send` command decides per message.
        self['xep_0184'].auto_ack = True
        self['xep_0184'].auto_request = False
        self.online = False
        self.failed = None
        self.quitting = False
        # Set by main: the command queue, which a failed session ends (None = end of input).
        self.queue = None
        self.add_event_handler('session_start', self.on_session_start)
        self.add_event_handler('failed_auth', self.on_failed_auth)
        self.add_event_handler('connection_failed', self.on_connection_failed)
        self.add_event_handler('disconnected', self.on_disconnected)
        self.add_event_handler('message', self.on_message)
        self.add_event_handler('message_error', self.on_message_error)
        self.add_event_handler('receipt_received', self.on_receipt)
        self.add_event_handler('marker', self.on_marker)
        self.add_event_handler('chatstate', self.on_chat_state)
        self.add_event_handler('message_correction', self.on_correction)
        self.add_event_handler('message_retract', self.on_retract0)
        self.add_event_handler('reactions', self.on_reactions)
        self.add_event_handler('avatar_metadata_publish', self.on_avatar_metadata)
        self.add_event_handler('vcard_avatar_update', self.on_vcard_avatar)
        self.add_event_handler('user_nick_publish', self.on_nick)
        self.add_event_handler('blocked', lambda iq: self.on_block_push('block', iq))
        self.add_event_handler('unblocked', lambda iq: self.on_block_push('unblock', iq))

    # --- session -------------------------------------------------------------------------

    async def on_session_start(self, _event):
        try:
            await self.get_roster()
        except (IqError, IqTimeout) as e:
            emit({'type': 'error', 'cmd': 'roster', 'error': str(e)})
        # With XEP-0115 caps in it, so that PEP sends us the +notify payloads (avatars, nicks).
        self.send_presence()
        self.online = True
        emit({'type': 'online', 'jid': str(self.boundjid)})

    def fail(self, error):
        if self.failed or self.quitting:
            return
        self.failed = error
        emit({'type': 'failed', 'error': error})
        if self.queue is not None:
            self.queue.put_nowait(None)

    def on_failed_auth(self, _event):
        self.fail('authentication failed')
        self.disconnect(wait=0)

    def on_connection_failed(self, error):
        # slixmpp would retry for ever; a test wants to know now.
        self.fail(f'connection failed: {error}')
        self.cancel_connection_attempt()

    def on_disconnected(self, reason):
        self.fail(f'disconnected: {reason}' if self.online else
                  f'disconnected before the session started: {reason}')

    # --- incoming --------------------------------------------------------------------------

    @staticmethod
    def who(msg):
        return {'from': str(msg['from']), 'peer': bare(msg['from'])}

    @staticmethod
    def fallbacks(msg):
        """XEP-0428 as sent today (`for` and <body start end/>): slixmpp 1.8.3's xep_0428 stanza
        has no interfaces at all, and its xep_0461 reads the older urn:xmpp:feature-fallback:0,
        so the elements are read from the parsed tree."""
        out = []
        for fb in msg.xml.findall(f'{{{FALLBACK_NS}}}fallback'):
            bodies = [{'start': b.get('start'), 'end': b.get('end')}
                      for b in fb.findall(f'{{{FALLBACK_NS}}}body')]
            out.append({'for': fb.get('for'), 'bodies': bodies})
        return out

    def on_message(self, msg):
        if msg['type'] not in ('chat', 'normal'):
            return
        # XEP-0424 version 1 (<retract id/> with no fastening): 1.8.3 knows only version 0.
        r1 = msg.xml.find(f'{{{RETRACT1_NS}}}retract')
        if r1 is not None:
            emit({'type': 'retraction', **self.who(msg), 'id': r1.get('id'), 'version': 1,
                  'body': msg['body'] or None})
        if not msg['body']:
            return
        reply = None
        if msg.xml.find(f'{{{REPLY_NS}}}reply') is not None:
            reply = {'to': msg['reply']['to'] or None, 'id': msg['reply']['id'] or None}
        emit({
            'type': 'message',
            **self.who(msg),
            'id': msg['id'] or None,
            'body': msg['body'],
            'mtype': msg['type'],
            'origin_id': msg['origin_id']['id'] or None,
            'stanza_id': msg['stanza_id']['id'] or None,
            'oob': msg['oob']['url'] or None,
            'reply': reply,
            'fallbacks': self.fallbacks(msg),
            'replace': msg['replace']['id'] or None,
            'receipt_requested': bool(msg['request_receipt']),
            'markable': msg.xml.find('{urn:xmpp:chat-markers:0}markable') is not None,
            'chat_state': msg['chat_state'] or None,
        })

    def on_message_error(self, msg):
        emit({'type': 'message_error', **self.who(msg), 'id': msg['id'] or None,
              'condition': msg['error']['condition'], 'text': msg['error']['text'] or None})

    def on_receipt(self, msg):
        emit({'type': 'receipt', **self.who(msg), 'id': msg['receipt']})

    def on_marker(self, msg):
        for marker in ('received', 'displayed', 'acknowledged'):
            # `markable` shares no name with these; `received` here is XEP-0333's, not 0184's.
            if msg.xml.find(f'{{urn:xmpp:chat-markers:0}}{marker}') is not None:
                emit({'type': 'marker', **self.who(msg), 'marker': marker, 'id': msg[marker]['id']})

    def on_chat_state(self, msg):
        emit({'type': 'chat_state', **self.who(msg), 'state': msg['chat_state']})

    def on_correction(self, msg):
        emit({'type': 'correction', **self.who(msg), 'id': msg['id'] or None,
              'replace': msg['replace']['id'], 'body': msg['body']})

    def on_retract0(self, msg):
        emit({'type': 'retraction', **self.who(msg), 'id': msg['apply_to']['id'], 'version': 0,
              'body': msg['body'] or None})

    def on_reactions(self, msg):
        # Each <reaction> as sent: Reactions.get_values() would drop what its emoji table
        # does not know, and a set would hide duplicates.
        values = [r['value'] for r in msg['reactions']]
        emit({'type': 'reactions', **self.who(msg), 'id': msg['reactions']['id'],
              'reactions': values})

    def on_avatar_metadata(self, msg):
        item = msg['pubsub_event']['items']['item']
        infos = list(item['avatar_metadata']['items'])
        if not infos:
            emit({'type': 'avatar', **self.who(msg), 'source': 'pep', 'hash': None})
        for info in infos:
            emit({'type': 'avatar', **self.who(msg), 'source': 'pep', 'hash': info['id'],
                  'content_type': info['type'] or None, 'bytes': info['bytes'],
                  'width': info['width'], 'height': info['height']})

    def on_vcard_avatar(self, pres):
        emit({'type': 'avatar', **self.who(pres), 'source': 'vcard',
              'hash': pres['vcard_temp_update']['photo'] or None})

    def on_nick(self, msg):
        item = msg['pubsub_event']['items']['item']
        emit({'type': 'nick', **self.who(msg), 'nick': item['nick']['nick']})

    def on_block_push(self, action, iq):
        jids = [str(j) for j in iq[action]['items']]
        emit({'type': 'block_push', 'action': action, 'jids': sorted(jids)})

    # --- commands --------------------------------------------------------------------------

    def chat_message(self, to, body=None, mid=None, mtype='chat'):
        msg = self.make_message(mto=to, mbody=body, mtype=mtype)
        msg['id'] = mid or uuid.uuid4().hex
        return msg

    async def run_command(self, c):
        name = c.get('cmd')
        handler = getattr(self, f'cmd_{name}', None)
        if handler is None:
            emit({'type': 'error', 'cmd': name, 'error': 'unknown command'})
            return
        try:
            await handler(c)
        except (IqError, IqTimeout) as e:
            cond = e.iq['error']['condition'] if isinstance(e, IqError) else 'timeout'
            emit({'type': 'error', 'cmd': name, 'error': f'{type(e).__name__}: {cond}'})
        except Exception as e:  # a broken command must not end the bot
            emit({'type': 'error', 'cmd': name, 'error': f'{type(e).__name__}: {e}'})

    async def cmd_send(self, c):
        msg = self.chat_message(c['to'], c['body'], c.get('id'))
        msg['origin_id']['id'] = msg['id']
        if c.get('receipt', True):
            msg['request_receipt'] = True
        if c.get('markable', True):
            msg.enable('markable')
        if c.get('state', 'active'):
            msg['chat_state'] = c.get('state', 'active')
        msg.send()
        emit({'type': 'sent', 'cmd': 'send', 'id': msg['id'], 'to': c['to'], 'body': c['body']})

    async def cmd_chat_state(self, c):
        msg = self.chat_message(c['to'])
        msg['chat_state'] = c['state']
        msg.enable('no-store')
        msg.send()
        emit({'type': 'sent', 'cmd': 'chat_state', 'id': msg['id'], 'to': c['to'],
              'state': c['state']})

    async def cmd_marker(self, c):
        # send_marker() makes a type-less (normal) message; clients usually send markers in the
        # chat's type, so a chat message by default and `"mtype": "normal"` for what
        # send_marker() sends.
        marker = c.get('marker', 'displayed')
        msg = self.chat_message(c['to'], mtype=c.get('mtype', 'chat'))
        msg[marker]['id'] = c['id']
        msg.enable('store')
        msg.send()
        emit({'type': 'sent', 'cmd': 'marker', 'id': msg['id'], 'to': c['to'], 'marker': marker,
              'of': c['id']})

    async def cmd_correct(self, c):
        msg = self.chat_message(c['to'], c['body'])
        msg['origin_id']['id'] = msg['id']
        msg['replace']['id'] = c['id']
        msg['request_receipt'] = True
        msg.enable('markable')
        msg.send()
        emit({'type': 'sent', 'cmd': 'correct', 'id': msg['id'], 'to': c['to'], 'of': c['id']})

    async def cmd_retract(self, c):
        self['xep_0424'].send_retraction(slixmpp.JID(c['to']), c['id'])
        emit({'type': 'sent', 'cmd': 'retract', 'to': c['to'], 'of': c['id'], 'version': 0})

    async def cmd_react(self, c):
        # send_reactions() makes a type-less (normal) message: `"mtype": "normal"` for that.
        msg = self.chat_message(c['to'], mtype=c.get('mtype', 'chat'))
        self['xep_0444'].set_reactions(msg, c['id'], c['reactions'])
        msg.enable('store')
        msg.send()
        emit({'type': 'sent', 'cmd': 'react', 'id': msg['id'], 'to': c['to'], 'of': c['id'],
              'reactions': c['reactions']})

    async def cmd_reply(self, c):
        body = c['body']
        quote = c.get('quote')
        prefix = ''
        if quote:
            prefix = ''.join(f'> {line}\n' for line in quote.split('\n'))
        msg = self.chat_message(c['to'], prefix + body)
        msg['origin_id']['id'] = msg['id']
        msg['reply']['to'] = c['reply_to']
        msg['reply']['id'] = c['id']
        if prefix:
            # XEP-0428 with `for` and a body range: 1.8.3 has neither (its xep_0428 Fallback has
            # no interfaces; xep_0461 speaks the older feature-fallback namespace), so the two
            # elements are built as ElementTree nodes (typed, escaped by the serializer).
            # Offsets count code points, as Python's len() does.
            fb = ET.SubElement(msg.xml, f'{{{FALLBACK_NS}}}fallback', {'for': REPLY_NS})
            ET.SubElement(fb, f'{{{FALLBACK_NS}}}body', {'start': '0', 'end': str(len(prefix))})
        msg['request_receipt'] = True
        msg.enable('markable')
        msg.send()
        emit({'type': 'sent', 'cmd': 'reply', 'id': msg['id'], 'to': c['to'], 'of': c['id'],
              'body': prefix + body})

    async def find_upload_service(self):
        """XEP-0363 §2 discovery, as xep_0363.find_upload_service does; that one fails on
        Python 3.11 in 1.8.3 (xep_0030.get_info_from_domain hands coroutines to asyncio.wait),
        so the same disco#items + disco#info steps through xep_0030's own calls."""
        upload = self['xep_0363']
        if upload.upload_service is not None:
            return
        disco = self['xep_0030']
        domain = slixmpp.JID(self.boundjid.domain)
        items = await disco.get_items(jid=domain, timeout=10)
        for jid in [domain] + [slixmpp.JID(i[0]) for i in items['disco_items']['items']]:
            try:
                info = await disco.get_info(jid=jid, timeout=10)
            except (IqError, IqTimeout):
                continue
            if 'urn:xmpp:http:upload:0' not in info['disco_info']['features']:
                continue
            upload.upload_service = jid
            for form in info['disco_info'].iterables:
                values = form['values']
                if values.get('FORM_TYPE') == ['urn:xmpp:http:upload:0']:
                    try:
                        upload.max_file_size = int(values['max-file-size'])
                    except (KeyError, TypeError, ValueError):
                        pass
            return
        raise RuntimeError('no XEP-0363 upload service on ' + str(domain))

    async def cmd_upload(self, c):
        await self.find_upload_service()
        path = c['path']
        with open(path, 'rb') as f:
            data = f.read()
        name = c.get('name') or os.path.basename(path)
        with open(path, 'rb') as f:
            url = await self['xep_0363'].upload_file(
                name, size=len(data), content_type=c.get('content_type'), input_file=f,
                timeout=60)
        emit({'type': 'done', 'cmd': 'upload', 'url': url, 'name': name, 'size': len(data),
              'sha256': hashlib.sha256(data).hexdigest()})
        msg = self.chat_message(c['to'], url)
        msg['origin_id']['id'] = msg['id']
        msg['oob']['url'] = url
        msg['request_receipt'] = True
        msg.enable('markable')
        msg.send()
        emit({'type': 'sent', 'cmd': 'upload', 'id': msg['id'], 'to': c['to'], 'url': url})

    async def cmd_block(self, c):
        await self['xep_0191'].block(slixmpp.JID(c['jid']))
        emit({'type': 'done', 'cmd': 'block', 'jid': c['jid']})

    async def cmd_unblock(self, c):
        await self['xep_0191'].unblock(slixmpp.JID(c['jid']))
        emit({'type': 'done', 'cmd': 'unblock', 'jid': c['jid']})

    async def cmd_blocklist(self, _c):
        iq = await self['xep_0191'].get_blocked()
        emit({'type': 'done', 'cmd': 'blocklist',
              'jids': sorted(str(j) for j in iq['blocklist']['items'])})

    async def cmd_publish_avatar(self, c):
        with open(c['path'], 'rb') as f:
            data = f.read()
        avatar = self['xep_0084']
        digest = avatar.generate_id(data)
        # Data first, then metadata (XEP-0084 §4.3): a client seeing the metadata can fetch.
        await avatar.publish_avatar(data)
        await avatar.publish_avatar_metadata({
            'id': digest, 'type': c['content_type'], 'bytes': len(data),
            # Strings: 1.8.3's Info stores an int attribute as is and then cannot serialize it.
            'width': str(c.get('width', '')), 'height': str(c.get('height', '')),
        })
        if c.get('vcard'):
            await self['xep_0153'].set_avatar(avatar=data, mtype=c['content_type'])
        emit({'type': 'done', 'cmd': 'publish_avatar', 'hash': digest, 'size': len(data)})

    async def cmd_vcard_avatar(self, c):
        """XEP-0153 only (what clients without PEP avatars do): the vCard-temp PHOTO, then a
        presence carrying its hash."""
        with open(c['path'], 'rb') as f:
            data = f.read()
        await self['xep_0153'].set_avatar(avatar=data, mtype=c['content_type'])
        emit({'type': 'done', 'cmd': 'vcard_avatar', 'hash': hashlib.sha1(data).hexdigest(),
              'size': len(data)})

    async def cmd_fetch_avatar(self, c):
        iq = await self['xep_0084'].retrieve_avatar(slixmpp.JID(c['jid']), c['id'])
        data = iq['pubsub']['items']['item']['avatar_data']['value']
        emit({'type': 'done', 'cmd': 'fetch_avatar', 'jid': c['jid'], 'id': c['id'],
              'sha1': hashlib.sha1(data).hexdigest(), 'size': len(data)})

    async def cmd_nick(self, c):
        await self['xep_0172'].publish_nick(c['nick'])
        emit({'type': 'done', 'cmd': 'nick', 'nick': c['nick']})

    async def cmd_presence(self, c):
        self.send_presence(pshow=c.get('show'), pstatus=c.get('status'))
        emit({'type': 'sent', 'cmd': 'presence'})


def read_stdin(loop, queue):
    """A thread: stdin lines into the loop's queue; None at end of input."""
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


async def serve(bot, queue):
    while True:
        line = await queue.get()
        if line is None:
            break
        line = line.strip()
        if not line:
            continue
        try:
            c = json.loads(line)
            if not isinstance(c, dict):
                raise ValueError('not an object')
        except ValueError as e:
            emit({'type': 'error', 'cmd': None, 'error': f'bad command line: {e}'})
            continue
        if c.get('cmd') == 'quit':
            break
        # Commands run concurrently (an upload must not hold up a chat state), in arrival
        # order for the ones that finish at once.
        asyncio.ensure_future(bot.run_command(c))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--jid', required=True)
    p.add_argument('--password', required=True)
    p.add_argument('--resource', default='slixbot')
    p.add_argument('--debug', action='store_true', help='slixmpp debug log (with stanzas) on stderr')
    a = p.parse_args()
    logging.basicConfig(level=logging.DEBUG if a.debug else logging.WARNING, stream=sys.stderr,
                        format='%(levelname)s %(name)s: %(message)s')
    if not is_loopback(a.host):
        sys.exit('slixbot: plain-text sign-in is for loopback test servers only')

    bot = Slixbot(f'{a.jid}/{a.resource}', a.password)
    loop = asyncio.get_event_loop()
    queue = asyncio.Queue()
    bot.queue = queue
    threading.Thread(target=read_stdin, args=(loop, queue), daemon=True).start()
    bot.connect((a.host, a.port), force_starttls=False, disable_starttls=True)

    async def run():
        await serve(bot, queue)
        bot.quitting = True
        if bot.online and not bot.failed:
            await bot.disconnect(wait=2.0)
        emit({'type': 'ended'})

    task = asyncio.ensure_future(run())
    loop.run_until_complete(task)
    sys.exit(1 if bot.failed else 0)


if __name__ == '__main__':
    main()
