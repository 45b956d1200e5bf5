//! Joins the Fluent catalogues `locales/<lang>/*.ftl` into one file per language in OUT_DIR,
//! so that each area of the UI keeps its strings in a file of its own and adding a file needs no
//! code change (src/i18n/catalogue.rs includes the joined files).

use std::{env, fs, path::Path};

const LANGUAGES: &[&str] = &["en", "ru"];

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for lang in LANGUAGES {
        let dir = Path::new("locales").join(lang);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect();
        // Sorted: the joined catalogue must not depend on the directory's order.
        files.sort();
        let mut joined = String::new();
        for file in files {
            println!("cargo:rerun-if-changed={}", file.display());
            let text =
                fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            joined.push_str(&format!("## file: {}\n", file.display()));
            joined.push_str(&text);
            if !text.ends_with('\n') {
                joined.push('\n');
            }
        }
        fs::write(Path::new(&out).join(format!("{lang}.ftl")), joined)
            .expect("write the joined catalogue");
    }
}
