//! Reading url-encoded form bodies where a field may repeat (checkboxes), shared by the pages
//! that post forms.

/// The pairs of a form body, in order.
pub fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The first value of a field, trimmed; empty when absent.
pub fn field<'a>(pairs: &'a [(String, String)], k: &str) -> &'a str {
    pairs.iter().find(|(a, _)| a == k).map_or("", |(_, v)| v.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_and_trimming() {
        let p = pairs(b"a=1&m=x&m=y&t=+hi+&e=");
        assert_eq!(field(&p, "a"), "1");
        assert_eq!(field(&p, "t"), "hi");
        assert_eq!(field(&p, "missing"), "");
        assert_eq!(p.iter().filter(|(k, _)| k == "m").count(), 2);
    }
}
