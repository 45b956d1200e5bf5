//! `cargo xtask demo`: build, start Prosody (or ejabberd) with three friends, serve the app and
//! the server's WebSocket/BOSH endpoints on one origin, wait for Ctrl-C.

use crate::prosody::{Account, Options};
use crate::serve::{Config, WebSocketMode};
use crate::server::{Kind, Running};
use crate::util::{self, Args, Result};

pub const ACCOUNTS: &[(&str, &str)] = &[
    ("alice", "wonderland"),
    ("bob", "builder"),
    ("carol", "singing"),
    // The sample shop's support account: visitors of the shop page write to it (the widget).
    ("support", "helpdesk"),
];

pub fn run_cmd(args: &[String]) -> Result {
    let mut a = Args::new(args);
    let port = a.parse("--port", 8080u16)?;
    let shop_port = a.parse("--shop-port", 8081u16)?;
    let http_port = a.parse("--http-port", 5280u16)?;
    let c2s_port = a.parse("--c2s-port", 5222u16)?;
    let contacts = a.parse("--contacts", 0usize)?;
    let kind = Kind::parse(&a.value("--server")?.unwrap_or_else(|| "prosody".into()))?;
    let no_websocket = a.flag("--no-websocket");
    let no_build = a.flag("--no-build");
    a.finish()?;

    crate::ensure::all()?;
    if !no_build {
        crate::dist::build()?;
    }
    util::catch_interrupts();
    let state = util::root().join(format!(".state/demo-{}", kind.name()));
    let mut opts = Options::new(state, http_port, c2s_port);
    opts.accounts = ACCOUNTS.iter().map(|(u, p)| Account::new(u, p)).collect();
    if contacts > 0 {
        opts.contacts.push(("alice".into(), contacts));
    }
    let mut server = Running::fresh(kind, opts)?;
    let web = crate::serve::Server::start_with(
        Config {
            dir: crate::dist::dist_dir(),
            backend: Some(http_port),
            websocket: if no_websocket {
                WebSocketMode::Refuse
            } else {
                WebSocketMode::Proxy
            },
        },
        port,
    )?;

    let (ws, bosh) = (server.opts().ws_url(), server.opts().bosh_url());
    // The sample shop on a second origin (127.0.0.1 vs localhost, another port), embedding the
    // widget from the app's origin; visitors connect over BOSH through the app's origin (a BOSH
    // session outlives a change of page, see src/session/visitor.rs).
    let app_origin = format!("http://localhost:{}", web.port);
    let shop = crate::shop::Shop {
        dir: util::root().join("demo/shop"),
        widget: format!("{app_origin}/widget.js"),
        service: format!("{app_origin}/http-bind"),
        domain: format!("anon.{}", crate::prosody::DOMAIN),
        contact: format!("support@{}", crate::prosody::DOMAIN),
        endpoints: vec![
            format!("{app_origin}/http-bind"),
            format!("ws://localhost:{}/xmpp-websocket", web.port),
        ],
    };
    let shop_port = shop.start(shop_port)?;
    // Host `localhost` = the demo domain, so the client discovers the endpoints (XEP-0156) on
    // the page's own origin with an empty Connection URL.
    let one = format!("http://localhost:{}/", web.port);
    let direct = format!("{one}?service={}", util::url_encode(&ws));
    println!();
    println!("Natter demo ({})", kind.name());
    println!("  open      {one}");
    println!(
        "            one origin: the page, /xmpp-websocket{}, /http-bind and /.well-known/host-meta",
        if no_websocket {
            " (refused: --no-websocket)"
        } else {
            ""
        }
    );
    println!("            leave Connection URL empty: discovery, WebSocket first, then BOSH");
    println!("  direct    {direct}");
    println!(
        "  server    {ws}  (BOSH: {bosh}; via this origin: ws://localhost:{p}/xmpp-websocket, http://localhost:{p}/http-bind)",
        p = web.port
    );
    println!("  accounts  (each has the others as contacts, subscribed both ways)");
    for (user, pass) in ACCOUNTS {
        let jid = format!("{user}@{}", crate::prosody::DOMAIN);
        println!(
            "    {jid:<18} password {pass:<12} {one}?jid={}",
            util::url_encode(&jid)
        );
    }
    if contacts > 0 {
        println!("  alice also has {contacts} generated contacts (contact1@localhost …)");
    }
    println!(
        "  shop      http://127.0.0.1:{shop_port}/  (another origin: the <xmpp-chat> widget, strict CSP;"
    );
    println!(
        "            visitors talk to support@{} — sign in there as it, password {})",
        crate::prosody::DOMAIN,
        ACCOUNTS
            .iter()
            .find(|(u, _)| *u == "support")
            .map_or("", |(_, p)| p)
    );
    println!("  {} log: {}", kind.name(), server.log_file().display());
    println!("Press Ctrl-C to stop.");

    loop {
        if util::interrupted() {
            println!("\nstopping {} …", kind.name());
            server.stop();
            return Ok(());
        }
        if let Some(status) = server.exited() {
            return Err(format!(
                "{} exited ({status}); log tail:\n{}",
                kind.name(),
                util::tail(&server.log_file(), 20)
            ));
        }
        util::sleep_ms(200);
    }
}
