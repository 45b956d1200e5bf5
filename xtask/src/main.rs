//! `cargo xtask <command>`: Natter's development commands.

mod bench;
mod demo;
mod dist;
mod dist_sw;
mod ejabberd;
mod ensure;
mod prosody;
mod serve;
mod serve_csp;
mod server;
mod shop;
mod test;
mod util;
mod widget;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  ensure     install what the other commands need (idempotent; quick when all is present)
  dist       release build into dist/ (alias: build) and print bundle sizes [--dir DIR]
  demo       build, start Prosody (or ejabberd) with alice/bob/carol, serve dist/ and the
             server's /xmpp-websocket, /http-bind and host-meta on http://localhost:8080/
             [--server prosody|ejabberd] [--port 8080] [--http-port 5280] [--c2s-port 5222]
             [--contacts N] [--no-websocket] [--no-build]
  test       fmt, clippy (native + wasm32), cargo test with Prosody, wasm browser tests,
             dist, Playwright end-to-end tests, once per {WebSocket, BOSH} × {Prosody, ejabberd}
             [--only STAGE,…] [--skip STAGE,…] [--transports websocket,bosh]
             [--servers prosody,ejabberd]
  bench      sign-in-to-2,000-contact-roster time (median of 5) over WebSocket and BOSH,
             against Prosody and ejabberd, reload-to-cached-roster and back-online-to-caught-up
             after a 30 s outage (WebSocket × Prosody), and bundle size; writes target/bench.json
             [--quick] [--runs N] [--contacts N] [--transports websocket,bosh]
             [--servers prosody,ejabberd] [--no-build] [--no-offline]
  prosody    run one Prosody in the foreground (prints READY {json})
             [--state DIR] [--http-port N] [--c2s-port N] [--user NAME:PASS]...
             [--contacts NAME:COUNT]... [--no-mutual] [--log-level LEVEL]
             [--keep-state] (start on an existing state directory, e.g. after a crash)
  ejabberd   run one ejabberd in the foreground (prints READY {json}); same options as
             prosody, plus [--dist-port N] (Erlang distribution port; default: a free one)
  serve      serve dist/ (prints READY {json}); with --xmpp-port, also proxy /xmpp-websocket,
             /http-bind and generate /.well-known/host-meta(.json) for that server's HTTP port
             [--dir dist] [--port 8080] [--xmpp-port N] [--no-websocket | --hang-websocket]
             [--connect-src SOURCES|any] (the CSP's connect-src; default: this origin and
             the XMPP server's loopback port; any: every ws/wss/http/https endpoint)
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or(&[]);
    let result = match args.first().map(String::as_str) {
        Some("ensure") => ensure::run_cmd(rest),
        Some("dist" | "build") => dist::run_cmd(rest),
        Some("demo") => demo::run_cmd(rest),
        Some("test") => test::run_cmd(rest),
        Some("bench") => bench::run_cmd(rest),
        Some("prosody") => prosody::run_cmd(rest),
        Some("ejabberd") => ejabberd::run_cmd(rest),
        Some("serve") => serve::run_cmd(rest),
        Some("help" | "-h" | "--help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    if let Err(e) = result {
        eprintln!("\nxtask: error: {e}");
        std::process::exit(1);
    }
}
