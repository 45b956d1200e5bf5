//! Property test: thousands of random and mutated server frames, at every stage of a session,
//! must never panic, and the client's own output must stay well-formed and consistent.
//! Deterministic: a fixed-seed xorshift generator, no extra dependency.

mod common;

use common::*;
use minidom::Element;
use natter_core::{Client, Command, Event, Instant, SessionState, Transmit};

/// Valid frames from every part of a session; `{id}` becomes the id of our latest IQ and
/// `{scram}` a server-first extending our latest SCRAM nonce (see [`fill`]).
const CORPUS: &[&str] = &[
    SERVER_OPEN,
    BIND_FEATURES,
    r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>SCRAM-SHA-256</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>"#,
    r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/><session xmlns="urn:ietf:params:xml:ns:xmpp-session"/></stream:features>"#,
    // A cheap (one-round) SCRAM server-first for our real nonce.
    r#"<challenge xmlns="urn:ietf:params:xml:ns:xmpp-sasl">{scram}</challenge>"#,
    r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl">dj1BQUFB</success>"#,
    r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#,
    r#"<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized/><text xml:lang="en">no</text></failure>"#,
    r#"<iq xmlns="jabber:client" type="result" id="{id}"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>user@example.org/natter</jid></bind></iq>"#,
    r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#,
    r#"<iq xmlns="jabber:client" type="error" id="{id}"><error type="cancel"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">t</text></error></iq>"#,
    r#"<iq xmlns="jabber:client" type="result" id="{id}"><query xmlns="jabber:iq:roster" ver="1"><item jid="romeo@example.net" name="R" subscription="both" ask="subscribe"><group>G</group></item></query></iq>"#,
    r#"<iq xmlns="jabber:client" type="set" id="push"><query xmlns="jabber:iq:roster"><item jid="a@example.com" subscription="remove"/></query></iq>"#,
    r#"<iq xmlns="jabber:client" type="set" id="push" from="user@example.org/natter"><query xmlns="jabber:iq:roster"><item jid="a@example.com" subscription="from"/></query></iq>"#,
    r#"<iq xmlns="jabber:client" type="get" id="p" from="example.org"><ping xmlns="urn:xmpp:ping"/></iq>"#,
    r#"<iq xmlns="jabber:client" type="get" id="d" from="a@b/c"><query xmlns="http://jabber.org/protocol/disco#info" node="x#y"/></iq>"#,
    r#"<iq xmlns="jabber:client" type="get" id="v" from="a@b/c"><query xmlns="jabber:iq:version"/></iq>"#,
    r#"<presence xmlns="jabber:client" from="romeo@example.net/o"><show>xa</show><status>s</status><priority>-128</priority><c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="n" ver="QgayPKawpkPSDYmwT/WM94uAlu0="/></presence>"#,
    r#"<presence xmlns="jabber:client" from="romeo@example.net" type="subscribe"/>"#,
    r#"<presence xmlns="jabber:client" from="romeo@example.net" type="unavailable"/>"#,
    r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" id="m"><body>hi</body><body xml:lang="fr">salut</body><delay xmlns="urn:xmpp:delay" stamp="2002-09-10T23:08:25Z"/></message>"#,
    r#"<message xmlns="jabber:client" type="error" from="romeo@example.net" id="{id}"><error type="cancel"><gone xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">xmpp:x@y</gone></error></message>"#,
    r#"<stream:error xmlns:stream="http://etherx.jabber.org/streams"><see-other-host xmlns="urn:ietf:params:xml:ns:xmpp-streams">h</see-other-host></stream:error>"#,
    r#"<close xmlns="urn:ietf:params:xml:ns:xmpp-framing" see-other-uri="wss://x"/>"#,
    r#"<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>"#,
    " ",
];

const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"</",
    b"\"",
    b"'",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x1F600;",
    b"&bogus;",
    b" xmlns=\"\"",
    b" xmlns:stream=\"http://etherx.jabber.org/streams\"",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"]]>",
    b"<?xml version=\"1.0\"?>",
    b"<!DOCTYPE x>",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xf0\x9f\x98",
    b"=",
    b":",
    b"@",
    b"/",
    b"\t",
    b"\r\n",
    b"type=\"error\"",
    b"type=\"set\"",
    b"type=\"result\"",
    b"id=\"\"",
    b"from=\"\"",
    b"from=\"@\"",
    b"from=\"user@example.org\"",
    b"subscription=\"remove\"",
    b"<body/>",
    b"<error/>",
    b"stamp=\"garbage\"",
    b"<priority>999</priority>",
    b"xml:lang=\"\"",
];

/// XML-safe replacements, so a mutation can keep the frame well-formed and reach the typed
/// parsers and the state machine instead of stopping at the XML parser.
const VALUES: &[&str] = &[
    "",
    "result",
    "error",
    "set",
    "get",
    "chat",
    "normal",
    "groupchat",
    "headline",
    "unavailable",
    "subscribe",
    "subscribed",
    "unsubscribed",
    "unsubscribe",
    "probe",
    "remove",
    "both",
    "none",
    "to",
    "from",
    "user@example.org",
    "user@example.org/natter",
    "example.org",
    "romeo@example.net/o",
    "@",
    "a@b@c",
    "x/",
    "push",
    "1.0",
    "sha-1",
    "-1",
    "999",
    "urn:xmpp:ping",
    "jabber:client",
    "jabber:iq:roster",
    "http://jabber.org/protocol/disco#info",
    "urn:ietf:params:xml:ns:xmpp-sasl",
    "urn:ietf:params:xml:ns:xmpp-framing",
    "not-a-date",
    "2002-09-10T23:08:25Z",
    "=",
    "AAAA",
    "cj1mdXp6WFlaLHM9YzJGc2RBPT0saT0x",
    "away",
    "dnd",
    "&amp;",
    "&lt;",
    "   ",
    "\u{1F600}",
];

/// Fills a corpus frame's placeholders: our latest IQ id, and a server-first message for the
/// SCRAM nonce of our latest `<auth/>` (the nonce is random, so it cannot be written down).
fn fill(frame: &str, last_id: &str, scram_nonce: &str) -> String {
    frame.replace("{id}", last_id).replace(
        "{scram}",
        &b64(&format!("r={scram_nonce}XYZ,s=c2FsdA==,i=1")),
    )
}

/// Replaces one attribute value or one text run with a value from [`VALUES`] (or our last IQ id).
fn mutate_value(rng: &mut Rng, frame: &str, last_id: &str) -> String {
    let value = if rng.chance(15) {
        last_id
    } else {
        rng.pick(VALUES)
    };
    let attrs: Vec<usize> = frame.match_indices("=\"").map(|(i, _)| i + 2).collect();
    let texts: Vec<usize> = frame
        .match_indices('>')
        .map(|(i, _)| i + 1)
        .filter(|&i| i < frame.len())
        .collect();
    if rng.chance(60) && !attrs.is_empty() {
        let start = *rng.pick(&attrs);
        let end = frame[start..].find('"').map_or(frame.len(), |e| start + e);
        format!("{}{value}{}", &frame[..start], &frame[end..])
    } else if !texts.is_empty() {
        let start = *rng.pick(&texts);
        let end = frame[start..].find('<').map_or(frame.len(), |e| start + e);
        format!("{}{value}{}", &frame[..start], &frame[end..])
    } else {
        frame.to_owned()
    }
}

fn mutate(rng: &mut Rng, frame: &[u8]) -> Vec<u8> {
    let mut data = frame.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = if data.is_empty() {
            0
        } else {
            rng.below(data.len() + 1)
        };
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            2 => {
                let token = rng.pick(TOKENS);
                data.splice(at..at, token.iter().copied());
            }
            3 => data.truncate(at),
            4 => {
                let end = (at + rng.below(32)).min(data.len());
                let copy = data[at..end].to_vec();
                let to = rng.below(data.len() + 1);
                data.splice(to..to, copy);
            }
            5 => {
                let other = rng.pick(CORPUS).as_bytes();
                let cut = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[cut..]);
            }
            _ => {
                let byte = rng.next() as u8;
                data.insert(at, byte);
            }
        }
    }
    data
}

struct Checked {
    client: Client,
    now: Instant,
    closed: bool,
    ended: bool,
    last_iq_id: String,
    scram_nonce: String,
}

impl Checked {
    /// Drains everything and checks the invariants that must hold whatever the input.
    fn drain(&mut self) {
        let was_ended = self.ended;
        while let Some(t) = self.client.poll_transmit() {
            assert!(!self.closed, "output after Transmit::Close: {t:?}");
            assert!(!was_ended, "output after the end: {t:?}");
            match t {
                Transmit::Frame(text) => {
                    let element: Element = text
                        .parse()
                        .unwrap_or_else(|e| panic!("we sent bad XML {text:?}: {e}"));
                    if element.is("auth", SASL) {
                        let data = unb64(&element.text());
                        if data.contains("r=") {
                            self.scram_nonce = nonce_of(&data).to_owned();
                        }
                    }
                    if element.name() == "iq" {
                        if let Some(id) = element.attr("id") {
                            self.last_iq_id = id.to_owned();
                        }
                    }
                }
                Transmit::Close => self.closed = true,
            }
        }
        while let Some(event) = self.client.poll_event() {
            assert!(!was_ended, "event after the end: {event:?}");
            if let Event::StateChanged(state) = &event {
                if matches!(state, SessionState::Closed | SessionState::Failed) {
                    self.ended = true;
                }
            }
        }
        let terminal = matches!(
            self.client.state(),
            SessionState::Closed | SessionState::Failed
        );
        assert_eq!(terminal, self.ended, "state() and StateChanged disagree");
        if terminal {
            assert_eq!(self.client.poll_timeout(), None);
        }
    }

    fn frame(&mut self, data: &[u8]) {
        self.client.handle_frame(self.now, data);
        self.drain();
    }
}

#[test]
fn random_and_mutated_frames_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut frames_fed = 0usize;
    let mut session = 0usize;
    while frames_fed < 5_000 {
        session += 1;
        let mut config = config();
        config.secure_transport = rng.chance(70);
        config.entropy = [session as u8; 32];
        let client = Client::new(config);
        let mut c = Checked {
            client,
            now: Instant(0),
            closed: false,
            ended: false,
            last_iq_id: String::new(),
            scram_nonce: "fuzz".into(),
        };
        c.client.handle_connected(c.now);
        c.drain();

        // Walk a valid login some of the way, so mutations hit every stage.
        let login: [&str; 5] = [
            SERVER_OPEN,
            &features(&["PLAIN"]),
            r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#,
            SERVER_OPEN,
            BIND_FEATURES,
        ];
        let steps = if rng.chance(50) {
            login.len()
        } else {
            rng.below(login.len())
        };
        for step in login.iter().take(steps) {
            c.frame(step.as_bytes());
        }
        if steps == login.len() && !c.ended {
            let id = c.last_iq_id.clone();
            c.frame(bind_result(&id, FULL_JID).as_bytes());
        }

        for _ in 0..16 {
            // Mostly move on once ended, but sometimes check the end really is the end.
            if c.ended && rng.chance(80) {
                break;
            }
            let frame: &&str = rng.pick(CORPUS);
            let base = fill(frame, &c.last_iq_id, &c.scram_nonce);
            let data = match rng.below(10) {
                0 => base.into_bytes(),
                1 => (0..rng.below(64)).map(|_| rng.next() as u8).collect(),
                2..=7 => {
                    let mut text = base;
                    for _ in 0..1 + rng.below(3) {
                        text = mutate_value(&mut rng, &text, &c.last_iq_id);
                    }
                    text.into_bytes()
                }
                _ => mutate(&mut rng, base.as_bytes()),
            };
            c.frame(&data);
            frames_fed += 1;
            match rng.below(20) {
                0 => {
                    c.now = c.now.after(rng.next() % 40_000);
                    c.client.handle_timeout(c.now);
                }
                1 => c.client.handle_command(
                    c.now,
                    Command::SendMessage {
                        to: "romeo@example.net".parse().unwrap(),
                        id: format!("f{session}"),
                        body: "x\u{1}y".into(),
                    },
                ),
                2 => c.client.handle_command(
                    c.now,
                    Command::AddContact {
                        jid: "a@example.com".parse().unwrap(),
                        name: Some("\u{FFFF}".into()),
                    },
                ),
                3 => c.client.handle_command(
                    c.now,
                    Command::ApproveSubscription {
                        jid: "romeo@example.net".parse().unwrap(),
                    },
                ),
                4 if rng.chance(10) => c.client.handle_closed(c.now, None),
                _ => {}
            }
            c.drain();
        }
    }
}

#[test]
fn each_corpus_frame_truncated_at_every_byte() {
    for frame in CORPUS {
        let frame = fill(frame, "x", "fuzz");
        for cut in 0..frame.len() {
            let (mut h, _) = Harness::login_plain(config());
            h.feed_bytes(&frame.as_bytes()[..cut]);
        }
    }
}
