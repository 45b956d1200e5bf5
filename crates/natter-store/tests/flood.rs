//! Presence floods through the core and the store: 10,000 resources of one contact, 10,000
//! strangers sending presence, 10,000 subscription requests. Whatever arrives, the store keeps
//! a bounded amount (resources per contact, strangers' presence and requests are capped) and
//! the heap stays within a fixed bound, measured by a counting allocator. The time to handle
//! and apply the flood is printed, not asserted (timings belong in benchmarks).
//!
//! One test in this binary on purpose: the allocator counts the whole process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant as WallClock};

use natter_core::jid::BareJid;
use natter_core::{Client, Config, Instant, Transmit};
use natter_store::Store;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// The store may grow by at most this much over a flood of 10,000 (uncapped, each flood below
/// costs several megabytes).
const HEAP_BOUND: isize = 1024 * 1024;
const FLOOD: usize = 10_000;
const CONTACTS: usize = 50;

const OPEN: &str = r#"<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" from="example.org" id="s-1" version="1.0" xml:lang="en"/>"#;

/// A client signed in (PLAIN, secure transport) with `CONTACTS` contacts, and a store fed with
/// every event so far.
struct Session {
    client: Client,
    store: Store,
    now: Instant,
    sent: Vec<String>,
    core_time: Duration,
    store_time: Duration,
}

impl Session {
    fn new() -> Self {
        let mut config = Config::new("user@example.org".parse().unwrap(), "pencil", [5; 32]);
        config.secure_transport = true;
        config.resource = Some("natter".into());
        let mut s = Session {
            client: Client::new(config),
            store: Store::new(),
            now: Instant(1_000),
            sent: Vec::new(),
            core_time: Duration::ZERO,
            store_time: Duration::ZERO,
        };
        s.client.handle_connected(s.now);
        s.pump();
        for frame in [
            OPEN,
            r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>PLAIN</mechanism></mechanisms></stream:features>"#,
            r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#,
            OPEN,
            r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></stream:features>"#,
        ] {
            s.feed(frame);
        }
        let bind = s.request_id("urn:ietf:params:xml:ns:xmpp-bind");
        s.feed(&format!(r#"<iq xmlns="jabber:client" type="result" id="{bind}"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>user@example.org/natter</jid></bind></iq>"#));
        let roster = s.request_id("jabber:iq:roster");
        let items: String = (0..CONTACTS)
            .map(|i| format!(r#"<item jid="c{i}@example.net" subscription="both"/>"#))
            .collect();
        s.feed(&format!(r#"<iq xmlns="jabber:client" type="result" id="{roster}"><query xmlns="jabber:iq:roster">{items}</query></iq>"#));
        assert_eq!(s.store.roster.len(), CONTACTS, "the roster is loaded");
        s.core_time = Duration::ZERO;
        s.store_time = Duration::ZERO;
        s
    }

    fn feed(&mut self, frame: &str) {
        let t0 = WallClock::now();
        self.client.handle_frame(self.now, frame.as_bytes());
        self.core_time += t0.elapsed();
        self.pump();
    }

    fn pump(&mut self) {
        while let Some(t) = self.client.poll_transmit() {
            if let Transmit::Frame(f) = t {
                // Only the last few matter (the ids of our requests).
                if self.sent.len() > 64 {
                    self.sent.remove(0);
                }
                self.sent.push(f);
            }
        }
        while let Some(event) = self.client.poll_event() {
            let t0 = WallClock::now();
            self.store.apply(event);
            self.store_time += t0.elapsed();
        }
    }

    /// The id of our latest IQ that mentions `ns`.
    fn request_id(&self, ns: &str) -> String {
        let frame = self
            .sent
            .iter()
            .rev()
            .find(|f| f.starts_with("<iq") && f.contains(ns))
            .unwrap_or_else(|| panic!("no request for {ns} in {:?}", self.sent));
        let at = frame.find(" id=").expect("an id") + 5;
        let quote = &frame[at - 1..at];
        frame[at..at + frame[at..].find(quote).unwrap()].to_owned()
    }
}

fn report(line: String) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Runs `flood` and returns how much the heap grew (store, client and all).
fn measure(name: &str, s: &mut Session, flood: impl Fn(&mut Session)) -> isize {
    s.core_time = Duration::ZERO;
    s.store_time = Duration::ZERO;
    let before = live();
    let t0 = WallClock::now();
    flood(s);
    let took = t0.elapsed();
    let grew = live() - before;
    report(format!(
        "flood: {name}: {FLOOD} stanzas in {:.0} ms (core {:.0} ms, store apply {:.0} ms); heap {:+} KiB",
        took.as_secs_f64() * 1e3,
        s.core_time.as_secs_f64() * 1e3,
        s.store_time.as_secs_f64() * 1e3,
        grew / 1024,
    ));
    grew
}

#[test]
fn presence_floods_keep_memory_bounded() {
    let mut s = Session::new();
    let contact: BareJid = "c0@example.net".parse().unwrap();

    // A contact's 10,000 resources come online.
    let grew = measure("10,000 resources of one contact", &mut s, |s| {
        for i in 0..FLOOD {
            s.feed(&format!(
                r#"<presence xmlns="jabber:client" from="c0@example.net/r{i}"><status>resource {i}</status></presence>"#
            ));
        }
    });
    let kept = s.store.roster.get(&contact).unwrap().resources.len();
    assert!(
        kept <= natter_store::MAX_RESOURCES,
        "{kept} resources kept for one contact"
    );
    assert!(kept > 0, "the contact shows online");
    assert!(grew < HEAP_BOUND, "the heap grew by {grew} bytes");

    // Those it kept can go offline; then a new resource is seen again.
    for i in 0..FLOOD {
        s.feed(&format!(
            r#"<presence xmlns="jabber:client" from="c0@example.net/r{i}" type="unavailable"/>"#
        ));
    }
    assert!(s.store.roster.get(&contact).unwrap().resources.is_empty());
    s.feed(r#"<presence xmlns="jabber:client" from="c0@example.net/phone"><show>away</show></presence>"#);
    assert_eq!(s.store.roster.get(&contact).unwrap().resources.len(), 1);

    // 10,000 resources spread over every contact.
    let grew = measure("10,000 resources over 50 contacts", &mut s, |s| {
        for i in 0..FLOOD {
            s.feed(&format!(
                r#"<presence xmlns="jabber:client" from="c{}@example.net/s{i}"/>"#,
                i % CONTACTS
            ));
        }
    });
    assert!(grew < HEAP_BOUND, "the heap grew by {grew} bytes");

    // 10,000 strangers (not in the roster) send presence, then 10,000 resources of one.
    let grew = measure("10,000 strangers' presence", &mut s, |s| {
        for i in 0..FLOOD {
            s.feed(&format!(
                r#"<presence xmlns="jabber:client" from="stranger{i}@evil.example/x"><status>{}</status></presence>"#,
                "spam ".repeat(20)
            ));
        }
    });
    assert!(grew < HEAP_BOUND, "the heap grew by {grew} bytes");
    let grew = measure("10,000 resources of one stranger", &mut s, |s| {
        for i in 0..FLOOD {
            s.feed(&format!(
                r#"<presence xmlns="jabber:client" from="stranger@evil.example/r{i}"/>"#
            ));
        }
    });
    assert!(grew < HEAP_BOUND, "the heap grew by {grew} bytes");

    // A stranger who becomes a contact right after its presence still shows online.
    s.feed(r#"<presence xmlns="jabber:client" from="newfriend@example.org/laptop"/>"#);
    let push = r#"<iq xmlns="jabber:client" type="set" id="push-1"><query xmlns="jabber:iq:roster"><item jid="newfriend@example.org" subscription="both"/></query></iq>"#;
    s.feed(push);
    let friend: BareJid = "newfriend@example.org".parse().unwrap();
    assert_eq!(
        s.store.roster.get(&friend).map(|c| c.resources.len()),
        Some(1),
        "the latest stranger's presence is kept for a roster push"
    );

    // 10,000 subscription requests.
    let grew = measure("10,000 subscription requests", &mut s, |s| {
        for i in 0..FLOOD {
            s.feed(&format!(
                r#"<presence xmlns="jabber:client" from="asker{i}@evil.example" type="subscribe"/>"#
            ));
        }
    });
    assert!(
        s.store.requests.len() <= natter_store::MAX_REQUESTS,
        "{} requests kept",
        s.store.requests.len()
    );
    let newest: BareJid = format!("asker{}@evil.example", FLOOD - 1).parse().unwrap();
    assert!(
        s.store.requests.contains(&newest),
        "the newest request is kept"
    );
    assert!(grew < HEAP_BOUND, "the heap grew by {grew} bytes");
}
