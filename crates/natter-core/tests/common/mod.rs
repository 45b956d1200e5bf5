//! Transcript harness: plays the server's frames into a `Client` and hands back what it sent
//! (parsed as XML elements, so tests compare structure rather than serialization details) and
//! the events it reported.

#![allow(dead_code)]

pub mod archive;
pub mod muc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use minidom::Element;
use natter_core::jid::BareJid;
use natter_core::{Client, Config, Event, Instant, SessionState, Transmit};
use sasl::common::scram::{Sha1, Sha256};
use sasl::common::{ChannelBinding, Identity};
use sasl::secret::{Pbkdf2Sha1, Pbkdf2Sha256};
use sasl::server::mechanisms::Scram as ServerScram;
use sasl::server::{Mechanism as ServerMechanism, Provider, ProviderError};

pub const FRAMING: &str = "urn:ietf:params:xml:ns:xmpp-framing";
pub const CLIENT: &str = "jabber:client";
pub const SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
pub const BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
pub const ROSTER: &str = "jabber:iq:roster";
pub const STREAMS: &str = "http://etherx.jabber.org/streams";

pub const SERVER_OPEN: &str = r#"<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" from="example.org" id="s-1" version="1.0" xml:lang="en"/>"#;
pub const BIND_FEATURES: &str = r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></stream:features>"#;
pub const FULL_JID: &str = "user@example.org/natter";

/// The account the SCRAM test server knows: `user`, this password, this salt and cost.
pub const PASSWORD: &str = "pencil";
pub const SALT: &[u8] = b"natter test salt";
pub const ITERATIONS: u32 = 4096;

pub fn config() -> Config {
    let mut config = Config::new(
        "user@example.org".parse::<BareJid>().unwrap(),
        "pencil",
        [7; 32],
    );
    config.resource = Some("natter".into());
    config
}

pub fn features(mechanisms: &[&str]) -> String {
    let list: String = mechanisms
        .iter()
        .map(|m| format!("<mechanism>{m}</mechanism>"))
        .collect();
    format!(
        r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl">{list}</mechanisms></stream:features>"#
    )
}

pub fn sasl(name: &str, data: &str) -> String {
    format!(
        r#"<{name} xmlns="urn:ietf:params:xml:ns:xmpp-sasl">{}</{name}>"#,
        STANDARD.encode(data)
    )
}

pub fn b64(data: &str) -> String {
    STANDARD.encode(data)
}

pub fn unb64(text: &str) -> String {
    String::from_utf8(STANDARD.decode(text.trim()).unwrap()).unwrap()
}

/// Everything the client produced since the last drain.
#[derive(Debug, Default)]
pub struct Output {
    pub frames: Vec<Element>,
    pub closed: bool,
    pub events: Vec<Event>,
}

impl Output {
    pub fn only_frame(&self) -> &Element {
        assert_eq!(
            self.frames.len(),
            1,
            "expected one frame, got {:?}",
            self.frames
        );
        &self.frames[0]
    }

    pub fn failed(&self) -> Option<&natter_core::Error> {
        self.events.iter().find_map(|e| match e {
            Event::Failed(err) => Some(err),
            _ => None,
        })
    }

    pub fn has_state(&self, state: SessionState) -> bool {
        self.events.contains(&Event::StateChanged(state))
    }

    /// The last frame sent before the transport close was `<close/>`.
    pub fn closed_cleanly(&self) -> bool {
        self.closed && self.frames.last().is_some_and(|f| f.is("close", FRAMING))
    }
}

pub struct Harness {
    pub client: Client,
    pub now: Instant,
}

impl Harness {
    pub fn new(config: Config) -> Self {
        Harness {
            client: Client::new(config),
            now: Instant(1_000),
        }
    }

    pub fn advance(&mut self, ms: u64) {
        self.now = self.now.after(ms);
    }

    pub fn connect(&mut self) -> Output {
        self.client.handle_connected(self.now);
        self.drain()
    }

    pub fn feed(&mut self, frame: &str) -> Output {
        self.client.handle_frame(self.now, frame.as_bytes());
        self.drain()
    }

    pub fn feed_bytes(&mut self, frame: &[u8]) -> Output {
        self.client.handle_frame(self.now, frame);
        self.drain()
    }

    pub fn command(&mut self, command: natter_core::Command) -> Output {
        self.client.handle_command(self.now, command);
        self.drain()
    }

    pub fn timeout(&mut self) -> Output {
        self.client.handle_timeout(self.now);
        self.drain()
    }

    pub fn drain(&mut self) -> Output {
        let mut out = Output::default();
        while let Some(t) = self.client.poll_transmit() {
            match t {
                Transmit::Frame(text) => {
                    assert!(!out.closed, "frame after Transmit::Close: {text}");
                    let element: Element = text
                        .parse()
                        .unwrap_or_else(|e| panic!("client sent bad XML {text:?}: {e}"));
                    out.frames.push(element);
                }
                Transmit::Close => out.closed = true,
            }
        }
        while let Some(e) = self.client.poll_event() {
            out.events.push(e);
        }
        out
    }

    /// Signs in with PLAIN over a secure transport up to Online; returns the output of the bind
    /// result (Online events, roster get, initial presence).
    pub fn login_plain(config: Config) -> (Self, Output) {
        let mut config = config;
        config.secure_transport = true;
        let mut h = Harness::new(config);
        h.connect();
        h.feed(SERVER_OPEN);
        h.feed(&features(&["PLAIN"]));
        h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
        h.feed(SERVER_OPEN);
        let bind = h.feed(BIND_FEATURES);
        let id = bind.only_frame().attr("id").unwrap().to_owned();
        let out = h.feed(&bind_result(&id, FULL_JID));
        assert!(out.has_state(SessionState::Online), "{out:?}");
        (h, out)
    }

    /// Answers the roster get in `login` with an empty roster. A fresh session announces
    /// itself only then, so what that sends (initial presence, bookmarks, rejoins, waiting
    /// messages) and reports is appended to `login`, as if it had come at sign-in. Returns
    /// the answer's own output.
    pub fn answer_roster(&mut self, login: &mut Output) -> Output {
        let roster_id = roster_get_id(login);
        let out = self.feed(&format!(
            r#"<iq xmlns="jabber:client" type="result" id="{roster_id}"><query xmlns="jabber:iq:roster"/></iq>"#
        ));
        login.frames.extend(out.frames.iter().cloned());
        login.events.extend(out.events.iter().cloned());
        out
    }

    /// Signed in, roster loaded (empty), nothing pending.
    pub fn online() -> Self {
        let (mut h, out) = Harness::login_plain(config());
        let roster_id = roster_get_id(&out);
        let out = h.feed(&format!(r#"<iq xmlns="jabber:client" type="result" id="{roster_id}"><query xmlns="jabber:iq:roster"/></iq>"#));
        assert!(
            matches!(out.events.as_slice(), [Event::RosterReset { .. }]),
            "{out:?}"
        );
        h
    }
}

pub fn bind_result(id: &str, jid: &str) -> String {
    format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>{jid}</jid></bind></iq>"#
    )
}

pub fn roster_get_id(out: &Output) -> String {
    out.frames
        .iter()
        .find(|f| {
            f.is("iq", CLIENT) && f.attr("type") == Some("get") && f.has_child("query", ROSTER)
        })
        .and_then(|f| f.attr("id"))
        .expect("a roster get")
        .to_owned()
}

pub fn child<'a>(element: &'a Element, name: &str, ns: &str) -> &'a Element {
    element
        .get_child(name, ns)
        .unwrap_or_else(|| panic!("no <{name} xmlns={ns}> in {}", String::from(element)))
}

pub const CAPS: &str = "http://jabber.org/protocol/caps";
pub const STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";

pub fn iq_type(e: &Element) -> Option<&str> {
    e.attr("type")
}

/// The server side of SCRAM, played by the `sasl` crate's server mechanisms: it knows `user`
/// with `password`, salted with [`SALT`] over [`ITERATIONS`] rounds.
pub struct Account {
    pub password: &'static str,
}

impl Account {
    fn check(&self, identity: &Identity) -> Result<(), ProviderError> {
        if identity == &Identity::Username("user".into()) {
            Ok(())
        } else {
            Err(ProviderError::AuthenticationFailed)
        }
    }
}

impl Provider<Pbkdf2Sha256> for Account {
    fn provide(&self, identity: &Identity) -> Result<Pbkdf2Sha256, ProviderError> {
        self.check(identity)?;
        Ok(Pbkdf2Sha256::derive(self.password, SALT, ITERATIONS)?)
    }
}

impl Provider<Pbkdf2Sha1> for Account {
    fn provide(&self, identity: &Identity) -> Result<Pbkdf2Sha1, ProviderError> {
        self.check(identity)?;
        Ok(Pbkdf2Sha1::derive(self.password, SALT, ITERATIONS)?)
    }
}

sasl::impl_validator_using_provider!(Account, Pbkdf2Sha256);
sasl::impl_validator_using_provider!(Account, Pbkdf2Sha1);

/// A fresh server mechanism for `SCRAM-SHA-256` or `SCRAM-SHA-1`. The client never binds the
/// channel, hence `Unsupported` (it expects the client's `y` GS2 flag).
pub fn scram_server(mechanism: &str, password: &'static str) -> Box<dyn ServerMechanism> {
    let account = Account { password };
    match mechanism {
        "SCRAM-SHA-256" => Box::new(ServerScram::<Sha256, _>::new(
            account,
            ChannelBinding::Unsupported,
        )),
        "SCRAM-SHA-1" => Box::new(ServerScram::<Sha1, _>::new(
            account,
            ChannelBinding::Unsupported,
        )),
        other => panic!("no test server for {other}"),
    }
}

/// The `r=` of a SCRAM message.
pub fn nonce_of(message: &str) -> &str {
    message
        .split(',')
        .find_map(|part| part.strip_prefix("r="))
        .unwrap_or_else(|| panic!("no nonce in {message:?}"))
}

/// xorshift64*: a deterministic generator for the fuzz-style tests (same seed, same run).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
