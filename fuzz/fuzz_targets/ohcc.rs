//! The OHCC code parsers of iphr-domain: item codes, data ATRs and full 13-character codes parse
//! or are an error; what parses prints back to the same text.

#![no_main]

use iphr_domain::ohcc::{DataAtr, ItemCode, Ohcc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(code) = ItemCode::parse(text) {
        let _ = (code.field(), code.core());
        assert_eq!(ItemCode::parse(code.as_str()).as_ref(), Ok(&code));
    }
    if let Ok(atr) = DataAtr::parse(text) {
        assert_eq!(DataAtr::parse(&atr.to_string()), Ok(atr), "{text:?}");
    }
    if let Ok(full) = Ohcc::parse(text) {
        assert_eq!(Ohcc::parse(&full.to_string()).as_ref(), Ok(&full), "{text:?}");
    }
});
