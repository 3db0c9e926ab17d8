//! The demo's documents: a small PDF (a 主治医意見書 sample, Japanese text in the PDF standard's
//! Japanese font HeiseiKakuGo-W5 with the predefined UniJIS-UCS2-H CMap, so any viewer renders it
//! without an embedded font) and a small PNG (a scanned-form look, written with stored deflate
//! blocks), attached to the showcase worker's timeline — so the workspace shows documents inline.

use chrono::{Duration, NaiveDate};
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::ohcc::Producer;
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId};
use iphr_store::{DocumentMeta, DocumentWrite, StoredDocument};
use sha2::{Digest, Sha256};

/// A one-page A5 PDF with the given lines (Japanese allowed: each line is set as UTF-16BE).
pub fn sample_pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 14 Tf 40 540 Td 20 TL\n");
    for l in lines {
        let hex: String = l.encode_utf16().map(|u| format!("{u:04X}")).collect();
        content.push_str(&format!("<{hex}> Tj T*\n"));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 /Encoding /UniJIS-UCS2-H /DescendantFonts [6 0 R] >>"
            .to_string(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5 /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /DW 1000 /W [1 95 500] /FontDescriptor 7 0 R >>".to_string(),
        "<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4 /FontBBox [-92 -250 1010 922] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for b in bytes {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for x in bytes {
        a = (a + u32::from(*x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// A grey-scale PNG of `w` × `h` whose pixel at (x, y) is `pixel(x, y)`.
pub fn sample_png(w: u32, h: u32, pixel: impl Fn(u32, u32) -> u8) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((w + 1) * h) as usize);
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            raw.push(pixel(x, y));
        }
    }
    // zlib stream of stored (uncompressed) deflate blocks of at most 65,535 bytes.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        c.extend_from_slice(&body);
        c.extend_from_slice(&crc32(&body).to_be_bytes());
        c
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, deflate, no filter, no interlace
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &z));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// The showcase worker's documents: the attending physician's opinion (PDF) and a scanned
/// referral reply (PNG), as attachments of class 3 dated before `as_of`.
pub fn showcase_documents(
    company: CompanyId,
    person: PersonId,
    employment: EmploymentId,
    as_of: NaiveDate,
    name: &str,
) -> DocumentWrite {
    let pdf = sample_pdf(&[
        "主治医意見書(見本)",
        "",
        &format!("患者氏名: {name}"),
        "病名: 高血圧症",
        "就業継続の可否: 条件付きで可",
        "望ましい就業上の措置: 夜勤の回数を減らす",
        "措置期間: 3か月",
        "みなと内科クリニック",
    ]);
    // A form-like scan: a frame, ruled lines and a stamp-like square.
    let png = sample_png(240, 320, |x, y| {
        let frame = x < 6 || y < 6 || x > 233 || y > 313;
        let rule = y > 40 && y % 28 == 0 && (16..224).contains(&x);
        let stamp =
            (170..210).contains(&x) && (250..290).contains(&y) && (x == 170 || x == 209 || y == 250 || y == 289);
        if frame || rule || stamp { 40 } else { 245 }
    });
    let mut w = DocumentWrite::default();
    for (file, title, bytes, mime, days) in [
        ("主治医意見書_見本.pdf", "主治医意見書(見本)", pdf, "application/pdf", 60),
        ("紹介状返書_見本.png", "紹介状の返書(見本)", png, "image/png", 45),
    ] {
        let id = uuid::Uuid::now_v7();
        let date = as_of - Duration::days(days);
        let sha = hex::encode(Sha256::digest(&bytes));
        let event = Event {
            company_id: company,
            id: EventId::new(),
            person_id: Some(person),
            employment_id: Some(employment),
            department_id: None,
            kind: EventKind::Attachment,
            subkind: Some("document".into()),
            event_date: date,
            title: title.into(),
            content_class: InfoClass::Class3,
            producer: Producer::OhStaff,
            detail: serde_json::json!({
                "document_id": id, "original_path": file, "content_type": mime, "size": bytes.len(), "sha256": sha,
                "uploaded_by": "デモデータ",
            }),
            source_doc: Some(id.to_string()),
        };
        w.documents.push(StoredDocument {
            meta: DocumentMeta {
                company_id: company,
                id,
                person_id: Some(person),
                employment_id: Some(employment),
                event_id: Some(event.id),
                sha256: sha.clone(),
                original_path: file.into(),
                content_type: mime.into(),
                size: bytes.len() as i64,
                document_date: Some(date),
                title: title.into(),
                employee_number: None,
                unmatched_reason: None,
                imported_at: date.and_hms_opt(9, 0, 0).map(|t| t.and_utc()).unwrap_or_default(),
                imported_by: "demo".into(),
                source_sha256: sha,
                assigned_at: None,
                assigned_by: None,
            },
            bytes,
        });
        w.events.push(event);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_is_well_formed() {
        let png = sample_png(3, 2, |x, y| (x * 10 + y) as u8);
        assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
        // IHDR: 3 × 2, 8-bit grey.
        assert_eq!(&png[16..24], &[0, 0, 0, 3, 0, 0, 0, 2]);
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn the_pdf_has_its_cross_reference_at_the_right_place() {
        let pdf = sample_pdf(&["主治医意見書"]);
        // Offsets are bytes (the header's binary comment is no UTF-8).
        let tail = pdf.windows(10).rposition(|w| w == b"startxref\n").map(|i| &pdf[i + 10..]).unwrap_or_default();
        let at: usize = String::from_utf8_lossy(tail).lines().next().and_then(|n| n.parse().ok()).unwrap_or(0);
        assert!(pdf[at..].starts_with(b"xref"), "startxref points at the table");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("<4E3B6CBB533B610F898B66F8> Tj"), "the text as UTF-16BE");
    }
}
