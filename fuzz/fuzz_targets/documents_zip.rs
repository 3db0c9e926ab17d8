//! Document bundles, by content: the capped zip reader (entry count, declared and real sizes,
//! unsafe names, symbolic links) reads any bytes or ends in an error, zip bombs included.

#![no_main]

use iphr_convert::documents::{ContentType, Limits, ZipBundle, is_zip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = is_zip(data);
    let Ok(mut bundle) = ZipBundle::open(std::io::Cursor::new(data), Limits::default()) else { return };
    let Ok(entries) = bundle.entries() else { return };
    for e in entries {
        if e.symlink {
            continue;
        }
        if let Ok(bytes) = bundle.read(e.index) {
            let _ = ContentType::sniff(&bytes);
        }
    }
});
