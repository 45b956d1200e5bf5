//! XEP-0175 anonymous visitors against the live Prosody (see common/mod.rs): SASL ANONYMOUS to
//! `anon.localhost` (config/prosody.cfg.lua), the made-up account messaging a named account on
//! `localhost`, the XEP-0172 nick arriving with the message, and the reply finding the visitor.
//! Over WebSocket and over BOSH, the transport the widget prefers for visitors.

mod common;

use common::{account, online, WAIT};
use natter_native::natter_core::jid::{BareJid, Jid};
use natter_native::natter_core::{Command, Event};
use natter_native::Session;

const ANON_DOMAIN: &str = "anon.localhost";

async fn visitor(url: &str, nick: &str) -> (Session, BareJid) {
    let domain: BareJid = ANON_DOMAIN.parse().unwrap();
    let mut config = natter_native::config(url, domain, "");
    config.nick = Some(nick.into());
    let mut s = natter_native::connect(url, config)
        .await
        .expect("transport opens");
    let jid = s
        .online(WAIT)
        .await
        .unwrap_or_else(|e| panic!("the visitor did not come online: {e}"));
    (s, jid.to_bare())
}

async fn visitor_talks_to_support(url: &str, tag: &str) {
    let support = account(tag);
    let mut desk = online(url, &support).await;
    let (mut v, me) = visitor(url, "  Ann\u{202E} ").await;
    // The server made the account up on the anonymous host.
    assert_eq!(me.domain().as_str(), ANON_DOMAIN);
    assert!(me.node().is_some_and(|n| !n.as_str().is_empty()), "{me}");

    let body = format!("Is the red one in stock? ({tag})");
    v.send(Command::SendMessage {
        to: Jid::from(support.jid.clone()),
        id: v.next_id(),
        body: body.clone(),
        ext: Default::default(),
    });
    let got = desk
        .wait_for(WAIT, |e| matches!(e, Event::Message(m) if m.body == body))
        .await
        .unwrap_or_else(|e| panic!("support did not get the visitor's message: {e}"));
    let Event::Message(m) = got else {
        unreachable!()
    };
    assert_eq!(m.peer, me, "from the visitor's made-up account");
    assert_eq!(m.ext.nick.as_deref(), Some("Ann"), "the nick, cleaned");

    // Support answers the address it saw; the visitor's session gets it.
    let reply = format!("Yes, three left ({tag})");
    desk.send(Command::SendMessage {
        to: m.from.clone(),
        id: desk.next_id(),
        body: reply.clone(),
        ext: Default::default(),
    });
    let got = v
        .wait_for(WAIT, |e| matches!(e, Event::Message(m) if m.body == reply))
        .await
        .unwrap_or_else(|e| panic!("the visitor did not get the reply: {e}"));
    assert!(matches!(got, Event::Message(m) if m.peer == support.jid));
    v.close().await;
    desk.close().await;
}

#[tokio::test]
async fn anonymous_visitor_over_websocket() {
    let url = server_or_skip!();
    visitor_talks_to_support(&url, "anon-ws").await;
}

#[tokio::test]
async fn anonymous_visitor_over_bosh() {
    let Some((bosh, _)) = common::bosh_server() else {
        return;
    };
    visitor_talks_to_support(&bosh, "anon-bosh").await;
}

#[tokio::test]
async fn two_visitors_get_two_accounts() {
    let url = server_or_skip!();
    let (a, a_jid) = visitor(&url, "A").await;
    let (b, b_jid) = visitor(&url, "B").await;
    assert_ne!(a_jid, b_jid);
    a.close().await;
    b.close().await;
}
