//! `cargo xtask demo`: build, start Prosody with three friends, serve the app, wait for Ctrl-C.

use crate::prosody::{Account, Options, Prosody};
use crate::util::{self, Args, Result};

pub const ACCOUNTS: &[(&str, &str)] = &[
    ("alice", "wonderland"),
    ("bob", "builder"),
    ("carol", "singing"),
];

pub fn run_cmd(args: &[String]) -> Result {
    let mut a = Args::new(args);
    let port = a.parse("--port", 8080u16)?;
    let http_port = a.parse("--http-port", 5280u16)?;
    let c2s_port = a.parse("--c2s-port", 5222u16)?;
    let contacts = a.parse("--contacts", 0usize)?;
    let no_build = a.flag("--no-build");
    a.finish()?;

    crate::ensure::all()?;
    if !no_build {
        crate::dist::build()?;
    }
    util::catch_interrupts();
    let mut opts = Options::new(util::root().join(".state/demo"), http_port, c2s_port);
    opts.accounts = ACCOUNTS.iter().map(|(u, p)| Account::new(u, p)).collect();
    if contacts > 0 {
        opts.contacts.push(("alice".into(), contacts));
    }
    let mut prosody = Prosody::fresh(opts)?;
    let server = crate::serve::Server::start(&crate::dist::dist_dir(), port)?;

    let ws = prosody.opts.ws_url();
    let base = format!(
        "http://127.0.0.1:{}/?service={}",
        server.port,
        util::url_encode(&ws)
    );
    println!();
    println!("Natter demo");
    println!("  open      {base}");
    println!("  server    {ws}  (BOSH: {})", prosody.opts.bosh_url());
    println!("  accounts  (each has the other two as contacts, subscribed both ways)");
    for (user, pass) in ACCOUNTS {
        let jid = format!("{user}@{}", crate::prosody::DOMAIN);
        println!(
            "    {jid:<18} password {pass:<12} {base}&jid={}",
            util::url_encode(&jid)
        );
    }
    if contacts > 0 {
        println!("  alice also has {contacts} generated contacts (contact1@localhost …)");
    }
    println!(
        "  Prosody log: {}/prosody.log",
        prosody.opts.state.display()
    );
    println!("Press Ctrl-C to stop.");

    loop {
        if util::interrupted() {
            println!("\nstopping Prosody …");
            prosody.stop();
            return Ok(());
        }
        if let Some(status) = prosody.exited() {
            return Err(format!(
                "Prosody exited ({status}); log tail:\n{}",
                util::tail(&prosody.opts.state.join("prosody.log"), 20)
            ));
        }
        util::sleep_ms(200);
    }
}
