//! Document bundles, by name: the file-name pattern language (`{employee_number}_{date}_{title}`
//! …) and its matching, safe entry names, system files, name decoding and content sniffing. The
//! first line of the input is the pattern, every further line a path.

#![no_main]

use iphr_convert::documents::{ContentType, Pattern, decode_name, is_system_file, safe_path};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let name = decode_name(data);
    let _ = ContentType::sniff(data);
    let _ = ContentType::describe_other(data);
    let mut lines = name.split('\n');
    let Some(pattern) = lines.next() else { return };
    let pattern = Pattern::parse(pattern).ok();
    for path in lines {
        let _ = is_system_file(path);
        let safe = safe_path(path);
        if let Some(p) = &pattern {
            let _ = p.match_path(path);
            if let Ok(s) = &safe {
                let _ = p.match_path(s);
            }
        }
    }
});
