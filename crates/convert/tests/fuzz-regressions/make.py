#!/usr/bin/env python3
"""Makes the crafted hostile inputs of tests/fuzz_regressions.rs (fictional, no personal data).

- documents-overlapping-lying-size.zip, cda-archive-overlapping-lying-size.zip: 20 central
  directory entries that all point at one local entry whose deflate stream unpacks to 1,000,000
  bytes while every header declares 100 (overlapping entries with a lying size: the shape of a
  "better zip bomb");
- cda-billion-laughs.xml: nested entities (a DTD), ten to the ninth "lol";
- cda-utf16.xml: a CDA document in UTF-16.
Files found by the fuzz targets themselves are copied here from fuzz/artifacts/<target>/.
"""
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).parent


def overlapping(path, entries, size, declared, pattern, head):
    raw = head + b" " * (size - len(head))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    comp = c.compress(raw) + c.flush()
    crc = zlib.crc32(raw)
    name = b"a.pdf"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(comp), declared, len(name), 0)
    local += name + comp
    cd = b""
    for i in range(entries):
        nm = (pattern % i).encode()
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(comp), declared,
                          len(nm), 0, 0, 0, 0, 0, 0) + nm
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries, entries, len(cd), len(local), 0)
    (HERE / path).write_bytes(local + cd + eocd)


overlapping("documents-overlapping-lying-size.zip", 20, 1_000_000, 100, "scan%05d.pdf", b"%PDF")
overlapping("cda-archive-overlapping-lying-size.zip", 20, 1_000_000, 100, "x/DATA/h%05d.xml", b"<ClinicalDocument>")
lol = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    '<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10) for i in range(1, 10)
) + "]>\n<ClinicalDocument>&lol9;</ClinicalDocument>"
(HERE / "cda-billion-laughs.xml").write_text(lol)
(HERE / "cda-utf16.xml").write_bytes('<?xml version="1.0" encoding="UTF-16"?><ClinicalDocument/>'.encode("utf-16"))
