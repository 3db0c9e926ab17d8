//! Checkup CSV through each shipped mapping profile (`profiles/*.toml`): the first input byte
//! picks the profile, the rest is the file.

#![no_main]

mod common;

use iphr_convert::checkup_csv::parse;
use iphr_convert::profile::Profile;
use iphr_convert::records::checkup_records;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// The shipped profiles, in the order the selector byte picks them.
const PROFILES: [(&str, &str); 5] = [
    ("cc2x.toml", include_str!("../../profiles/cc2x.toml")),
    ("hokuto-long.toml", include_str!("../../profiles/hokuto-long.toml")),
    ("iphr-export.toml", include_str!("../../profiles/iphr-export.toml")),
    ("minato-wide.toml", include_str!("../../profiles/minato-wide.toml")),
    ("sakura-cp932.toml", include_str!("../../profiles/sakura-cp932.toml")),
];

static PARSED: LazyLock<Vec<(&'static str, Profile)>> = LazyLock::new(|| {
    PROFILES.iter().map(|(name, text)| (*name, Profile::parse(name, text).expect("a shipped profile parses"))).collect()
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let Some((_, profile)) = PARSED.get(usize::from(selector) % PARSED.len()) else { return };
    if let Ok(parsed) = parse(bytes, profile, "fuzz.csv", &common::ITEMS, &common::UNITS) {
        let _ = checkup_records(&parsed, profile, "fuzz.csv");
    }
});
