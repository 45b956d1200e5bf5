//! One fuzz input: a whole session as a script of server frames, timer ticks, user commands and
//! a transport close, run against a fresh `Client` with the invariants checked after every
//! step. Scripts are saved as text (the regression corpus) and replayed exactly: frames keep
//! their `{id}`/`{scram}`/`{queryid}` placeholders, filled from what the client sent when the
//! frame is fed, so a script does not depend on the SCRAM nonce (which the `sasl` crate draws).

use std::time::{Duration, Instant as WallClock};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use minidom::Element;
use std::collections::VecDeque;

use natter_core::bosh::{Bosh, Settings};
use natter_core::{Client, Command, Event, Instant, SessionState, Transmit};

use crate::common::{b64, config, nonce_of, unb64, SASL};

/// Most frames one input may make the client send. Each input is answered with a few frames
/// at most (an IQ reply, a flush of queued messages); more means a loop or an amplification.
pub const MAX_FRAMES_PER_INPUT: usize = 64;
/// Most events one input may produce (a roster result is one event, whatever its size).
pub const MAX_EVENTS_PER_INPUT: usize = 64;
/// Most requests of ours waiting for an answer at once, counted on the wire.
pub const MAX_OUTSTANDING_IQS: usize = 64;
/// Longest one input may take: this, plus [`MAX_TIME_PER_KIB`] for each KiB of it. Parsing is
/// linear (about 0.3 ms per KiB in a debug build); the bound is generous for a shared machine,
/// and still catches anything quadratic on a big input.
pub const MAX_INPUT_TIME: Duration = Duration::from_secs(1);
pub const MAX_TIME_PER_KIB: Duration = Duration::from_millis(3);
/// Most HTTP requests the BOSH layer may start for one input (it keeps `requests` = 2 open).
pub const MAX_REQUESTS_PER_INPUT: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Frame(Vec<u8>),
    /// Advance the clock by this many ms and call `handle_timeout`.
    Timeout(u64),
    /// One of [`command`]'s user commands.
    Command(u8),
    /// The transport closed.
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub secure: bool,
    /// Seeds the stanza ids (`Config::entropy`).
    pub entropy: u8,
    /// Through the BOSH layer: each frame step is a whole HTTP response body, answering the
    /// oldest request in flight.
    pub bosh: bool,
    pub steps: Vec<Step>,
}

/// The user commands a script can issue, by number.
pub fn command(n: u8) -> Command {
    match n % 7 {
        0 => Command::SendMessage {
            to: "romeo@example.net".parse().unwrap(),
            id: format!("fuzz-{n}"),
            body: "x\u{1}y <&>".into(),
            ext: Default::default(),
        },
        1 => Command::AddContact {
            jid: "a@example.com".parse().unwrap(),
            name: Some("\u{FFFF}\u{202E}".into()),
        },
        2 => Command::ApproveSubscription {
            jid: "romeo@example.net".parse().unwrap(),
        },
        3 => Command::DenySubscription {
            jid: "romeo@example.net".parse().unwrap(),
        },
        4 => Command::RemoveContact {
            jid: "a@example.com".parse().unwrap(),
        },
        5 => Command::SetPresence {
            show: None,
            status: Some("\u{0}status".into()),
        },
        _ => Command::Disconnect,
    }
}

impl Script {
    /// The text form kept in `tests/fuzz-regressions/`: one step per line, frames in base64
    /// (they may hold any byte).
    pub fn to_text(&self, why: &str) -> String {
        let mut out = String::from("# natter-core fuzz regression (tests/fuzz.rs replays it)\n");
        for line in why.lines().take(3) {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str(&format!("secure {}\n", u8::from(self.secure)));
        out.push_str(&format!("entropy {}\n", self.entropy));
        out.push_str(&format!("bosh {}\n", u8::from(self.bosh)));
        for step in &self.steps {
            match step {
                Step::Frame(data) => out.push_str(&format!("frame {}\n", STANDARD.encode(data))),
                Step::Timeout(ms) => out.push_str(&format!("timeout {ms}\n")),
                Step::Command(n) => out.push_str(&format!("command {n}\n")),
                Step::Closed => out.push_str("closed\n"),
            }
        }
        out
    }

    pub fn from_text(text: &str) -> Result<Script, String> {
        let mut script = Script {
            secure: false,
            entropy: 0,
            bosh: false,
            steps: Vec::new(),
        };
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, arg) = line.split_once(' ').unwrap_or((line, ""));
            let bad = |e: String| format!("line {}: {e}: {line:?}", n + 1);
            let num = |a: &str| a.trim().parse::<u64>().map_err(|e| bad(e.to_string()));
            match word {
                "secure" => script.secure = num(arg)? != 0,
                "entropy" => script.entropy = num(arg)? as u8,
                "bosh" => script.bosh = num(arg)? != 0,
                "frame" => script.steps.push(Step::Frame(
                    STANDARD
                        .decode(arg.trim())
                        .map_err(|e| bad(e.to_string()))?,
                )),
                "timeout" => script.steps.push(Step::Timeout(num(arg)?)),
                "command" => script.steps.push(Step::Command(num(arg)? as u8)),
                "closed" => script.steps.push(Step::Closed),
                _ => return Err(bad("unknown step".into())),
            }
        }
        Ok(script)
    }
}

/// What a run measured.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Inputs handed to the client (frames, ticks, commands, closes).
    pub inputs: usize,
    pub frames: usize,
    pub slowest: Duration,
    pub most_frames_out: usize,
    pub most_events_out: usize,
    pub most_outstanding: usize,
}

/// A `Client` under the invariants. Any violation panics (and is caught by the caller).
struct Checked {
    client: Client,
    bosh: Option<Bosh>,
    /// rids of the BOSH requests not yet answered, oldest first.
    in_flight: VecDeque<u64>,
    now: Instant,
    closed: bool,
    ended: bool,
    last_iq_id: String,
    last_query_id: String,
    scram_nonce: String,
    /// Ids of our get/set IQs not yet answered (an upper bound on the tracker's size).
    outstanding: Vec<String>,
    stats: Stats,
}

impl Checked {
    fn new(script: &Script) -> Self {
        let mut config = config();
        config.secure_transport = script.secure;
        config.entropy = [script.entropy; 32];
        Checked {
            client: Client::new(config),
            bosh: script
                .bosh
                .then(|| Bosh::new(Settings::default(), &[script.entropy; 32])),
            in_flight: VecDeque::new(),
            now: Instant(0),
            closed: false,
            ended: false,
            last_iq_id: String::new(),
            last_query_id: String::new(),
            scram_nonce: "fuzz".into(),
            outstanding: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Runs one input of `bytes` bytes with a wall-clock bound, then drains and checks.
    fn input(&mut self, what: &str, bytes: usize, f: impl FnOnce(&mut Client, Instant)) {
        let t0 = WallClock::now();
        f(&mut self.client, self.now);
        self.drain();
        let took = t0.elapsed();
        let limit = MAX_INPUT_TIME + MAX_TIME_PER_KIB * (bytes / 1024) as u32;
        assert!(
            took <= limit,
            "one input of {bytes} bytes ({what}) took {took:?} (limit {limit:?})"
        );
        self.stats.inputs += 1;
        self.stats.slowest = self.stats.slowest.max(took);
    }

    /// Drains the client and, through BOSH, the requests and frames that follow, until quiet.
    fn drain(&mut self) {
        let mut requests = 0;
        for _round in 0..64 {
            self.drain_client();
            let Some(bosh) = self.bosh.as_mut() else {
                return;
            };
            while let Some(request) = bosh.poll_request(self.now) {
                requests += 1;
                assert!(
                    requests <= MAX_REQUESTS_PER_INPUT,
                    "more than {MAX_REQUESTS_PER_INPUT} HTTP requests for one input"
                );
                let body: Result<Element, _> = request.body.parse();
                assert!(body.is_ok(), "we sent a bad BOSH body {:?}", request.body);
                self.in_flight.push_back(request.rid);
            }
            let mut fed = false;
            while let Some(frame) = bosh.poll_frame() {
                self.client.handle_frame(self.now, frame.as_bytes());
                fed = true;
            }
            if let Some(reason) = bosh.poll_closed() {
                self.client.handle_closed(self.now, reason);
                fed = true;
            }
            if !fed {
                return;
            }
        }
        panic!("the client and the BOSH layer kept feeding each other for 64 rounds");
    }

    fn drain_client(&mut self) {
        let was_ended = self.ended;
        let mut frames = 0;
        while let Some(t) = self.client.poll_transmit() {
            frames += 1;
            assert!(!self.closed, "output after Transmit::Close: {t:?}");
            assert!(!was_ended, "output after the end: {t:?}");
            assert!(
                frames <= MAX_FRAMES_PER_INPUT,
                "more than {MAX_FRAMES_PER_INPUT} frames for one input"
            );
            match &t {
                Transmit::Frame(text) => self.sent(text),
                Transmit::Close => self.closed = true,
            }
            if let Some(bosh) = self.bosh.as_mut() {
                bosh.handle_transmit(self.now, t);
            }
        }
        let mut events = 0;
        while let Some(event) = self.client.poll_event() {
            events += 1;
            assert!(!was_ended, "event after the end: {event:?}");
            assert!(
                events <= MAX_EVENTS_PER_INPUT,
                "more than {MAX_EVENTS_PER_INPUT} events for one input"
            );
            if let Event::StateChanged(SessionState::Closed | SessionState::Failed) = &event {
                self.ended = true;
            }
        }
        let terminal = matches!(
            self.client.state(),
            SessionState::Closed | SessionState::Failed
        );
        assert_eq!(terminal, self.ended, "state() and StateChanged disagree");
        if terminal {
            assert_eq!(self.client.poll_timeout(), None, "a deadline after the end");
            self.outstanding.clear();
        }
        assert!(
            self.outstanding.len() <= MAX_OUTSTANDING_IQS,
            "{} requests of ours unanswered at once",
            self.outstanding.len()
        );
        let s = &mut self.stats;
        s.most_frames_out = s.most_frames_out.max(frames);
        s.most_events_out = s.most_events_out.max(events);
        s.most_outstanding = s.most_outstanding.max(self.outstanding.len());
    }

    /// Checks a frame we sent and remembers what later frames may refer to.
    fn sent(&mut self, text: &str) {
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
                if matches!(element.attr("type"), Some("get" | "set")) {
                    self.outstanding.push(id.to_owned());
                }
            }
            if let Some(q) = element.children().find_map(|c| c.attr("queryid")) {
                self.last_query_id = q.to_owned();
            }
        }
    }

    /// Our placeholders in a frame: the latest IQ id and archive query id, and a SCRAM
    /// server-first extending our latest nonce (one iteration: cheap).
    fn fill(&self, frame: &[u8]) -> Vec<u8> {
        let Ok(text) = std::str::from_utf8(frame) else {
            return frame.to_vec();
        };
        if !text.contains('{') {
            return frame.to_vec();
        }
        text.replace("{id}", &self.last_iq_id)
            .replace("{queryid}", &self.last_query_id)
            .replace(
                "{scram}",
                &b64(&format!("r={}XYZ,s=c2FsdA==,i=1", self.scram_nonce)),
            )
            .into_bytes()
    }

    fn step(&mut self, step: &Step) {
        match step {
            Step::Frame(template) => {
                let data = self.fill(template);
                if let Some(id) = answered_id(&data) {
                    self.outstanding.retain(|o| *o != id);
                }
                self.stats.frames += 1;
                let what = String::from_utf8_lossy(&data[..data.len().min(200)]).into_owned();
                match self.bosh.as_mut() {
                    Some(bosh) => {
                        let rid = self.in_flight.pop_front().unwrap_or(1);
                        let t0 = WallClock::now();
                        bosh.handle_response(self.now, rid, Ok((200, data.as_slice())));
                        self.input(&what, data.len(), |_, _| {});
                        self.stats.slowest = self.stats.slowest.max(t0.elapsed());
                    }
                    None => self.input(&what, data.len(), |c, now| c.handle_frame(now, &data)),
                }
            }
            Step::Timeout(ms) => {
                self.now = self.now.after(*ms);
                let now = self.now;
                // The tracker forgets requests at their deadline; the wire count cannot know
                // which, so it is reset by a tick past every deadline (iq timeout: 30 s).
                if *ms >= 30_000 {
                    self.outstanding.clear();
                }
                if let Some(bosh) = self.bosh.as_mut() {
                    bosh.handle_timeout(now);
                }
                self.input("timeout", 0, |c, _| c.handle_timeout(now));
            }
            Step::Command(n) => {
                self.input("command", 0, |c, now| c.handle_command(now, command(*n)))
            }
            Step::Closed => self.input("transport closed", 0, |c, now| {
                c.handle_closed(now, Some("fuzz".into()))
            }),
        }
    }
}

/// The id of an IQ result/error we feed, so it stops counting as outstanding.
fn answered_id(data: &[u8]) -> Option<String> {
    let element: Element = std::str::from_utf8(data).ok()?.parse().ok()?;
    (element.name() == "iq" && matches!(element.attr("type"), Some("result" | "error")))
        .then(|| element.attr("id").map(str::to_owned))
        .flatten()
}

/// Runs `script` from `handle_connected` to its last step; panics on any violation.
pub fn run(script: &Script) -> Stats {
    let mut c = Checked::new(script);
    c.input("connected", 0, |client, now| client.handle_connected(now));
    for step in &script.steps {
        c.step(step);
    }
    c.stats
}

/// Runs `script`, turning a panic into its message.
pub fn run_caught(script: &Script) -> Result<Stats, String> {
    std::panic::catch_unwind(|| run(script)).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// The smallest script (by removing steps one at a time) that still fails.
pub fn minimize(script: &Script) -> Script {
    let mut best = script.clone();
    let mut i = 0;
    while i < best.steps.len() {
        let mut shorter = best.clone();
        shorter.steps.remove(i);
        if run_caught(&shorter).is_err() {
            best = shorter;
        } else {
            i += 1;
        }
    }
    best
}
