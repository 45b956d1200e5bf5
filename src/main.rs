#[cfg(target_arch = "wasm32")]
fn main() {
    natter::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "Natter is a web app: build it for the browser with `trunk build --release` \
         (or run `cargo xtask demo`)."
    );
}
