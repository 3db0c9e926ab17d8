//! Data-conversion benchmarks (docs/benchmarks.md, "Data conversion"): a generator of
//! realistic CP932 checkup CSVs, conversion alone from a file, the employees the files name,
//! the end-to-end import through the library, FHIR and CDA parsing.

use anyhow::{Context, Result, anyhow};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// The 40 result columns: header, OHCC item, profile unit (None: the OHCC unit), a separate H/L
/// column, and how values are drawn (low, span, decimals).
struct Col {
    header: String,
    ohcc: String,
    unit: Option<&'static str>,
    flag: Option<&'static str>,
    lo: f64,
    span: f64,
    decimals: usize,
}

fn col(header: &str, ohcc: &str, lo: f64, span: f64, decimals: usize) -> Col {
    Col { header: header.into(), ohcc: ohcc.into(), unit: None, flag: None, lo, span, decimals }
}

/// The 40 columns: the fixed 28, then numeric items of the OHCC table not yet used.
fn columns() -> Result<Vec<Col>> {
    let (table, _) = tables()?;
    let mut cols = fixed();
    let used: std::collections::HashSet<String> = cols.iter().map(|c| c.ohcc.clone()).collect();
    for d in table.items() {
        if cols.len() >= 40 {
            break;
        }
        if d.value_kind == iphr_domain::ohcc::ValueKind::Number
            && d.item.as_str().starts_with('A')
            && !used.contains(d.item.as_str())
        {
            cols.push(col(&format!("{}({})", d.name_ja, d.item.as_str()), d.item.as_str(), 1.0, 99.0, 1));
        }
    }
    Ok(cols)
}

/// The sakura layout (さくら会, CP932, JLAC10/OHCC columns, H/L columns, g/L and mmol/L)
/// widened to 40 numeric items.
fn fixed() -> Vec<Col> {
    vec![
        col("身長(cm)", "Ac0010000Z", 150.0, 40.0, 1),
        col("体重(kg)", "Ac0020000Z", 45.0, 50.0, 1),
        col("腹囲(cm)", "Ac0030000Z", 65.0, 40.0, 1),
        col("BMI", "Ac0040000Z", 17.0, 15.0, 1),
        Col { flag: Some("収縮期血圧HL"), ..col("収縮期血圧", "Af0010001A", 95.0, 80.0, 0) },
        Col { flag: Some("拡張期血圧HL"), ..col("拡張期血圧", "Af0020001A", 55.0, 50.0, 0) },
        col("収縮期血圧2", "Af0010001B", 95.0, 80.0, 0),
        col("拡張期血圧2", "Af0020001B", 55.0, 50.0, 0),
        Col { unit: Some("g/L"), ..col("血色素(g/L)", "Ag0010000Z", 100.0, 80.0, 0) },
        col("赤血球数", "Ag0020000Z", 330.0, 300.0, 0),
        col("白血球数", "Ag0040000Z", 2500.0, 9000.0, 0),
        col("血小板数", "Ag0050000Z", 9.0, 35.0, 1),
        col("GOT", "Ah0010000Z", 10.0, 80.0, 0),
        col("GPT", "Ah0020000Z", 8.0, 90.0, 0),
        col("γ-GTP", "Ah0030000Z", 10.0, 200.0, 0),
        col("総蛋白", "Ah0070000Z", 5.8, 3.5, 1),
        col("アルブミン", "Ah0080000Z", 3.3, 1.5, 1),
        col("LDLコレステロール", "Ai0010000Z", 50.0, 170.0, 0),
        col("HDLコレステロール", "Ai0020000Z", 25.0, 70.0, 0),
        col("中性脂肪", "Ai0030000Z", 25.0, 550.0, 0),
        col("総コレステロール", "Ai0050000Z", 120.0, 160.0, 0),
        Col {
            unit: Some("mmol/L"), flag: Some("血糖HL"), ..col("空腹時血糖(mmol/L)", "Aj0010000Z", 3.9, 5.5, 1)
        },
        col("HbA1c(NGSP)", "Aj0030000Z", 4.5, 3.0, 1),
        col("クレアチニン", "Am0010000Z", 0.5, 1.0, 2),
        col("eGFR", "Am0020000Z", 40.0, 60.0, 1),
        col("尿酸", "Am0030000Z", 2.0, 8.0, 1),
        col("視力右", "Ad0010001R", 0.1, 1.4, 1),
        col("視力左", "Ad0010001L", 0.1, 1.4, 1),
    ]
}

/// The profile of the generated files: the さくら会 layout widened to 40 numeric items.
fn profile_text(cols: &[Col]) -> String {
    let mut p = String::from(
        "# Benchmark profile: the さくら会 layout (CP932, 従業員コード, 姓/名, カナ氏名, 和暦 birth dates,\n\
         # YYYYMMDD visit dates, 性別 1/2, H/L columns, g/L and mmol/L) widened to 40 numeric items.\n\
         name = \"bench さくら40\"\ninstitution = \"医療法人 さくら会 健診クリニック (bench)\"\nlayout = \"wide\"\nencoding = \"cp932\"\n\n\
         [identity]\nemployee_number = \"従業員コード\"\nfamily_name = \"姓\"\ngiven_name = \"名\"\nkana = \"カナ氏名\"\n\
         birth_date = \"生年月日\"\nsex = \"性別\"\nsex_values = { \"1\" = \"male\", \"2\" = \"female\" }\n\n[event]\ndate = \"健診日\"\n",
    );
    for c in cols {
        p.push_str(&format!("\n[[items]]\ncolumn = \"{}\"\nohcc = \"{}\"\n", c.header, c.ohcc));
        if let Some(u) = c.unit {
            p.push_str(&format!("unit = \"{u}\"\n"));
        }
        if let Some(f) = c.flag {
            p.push_str(&format!("flag_column = \"{f}\"\n"));
        }
    }
    p
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v.get((self.next() % v.len().max(1) as u64) as usize).copied().unwrap_or("")
    }
}

const FAMILY: [(&str, &str); 12] = [
    ("山田", "ヤマダ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("髙木", "タカギ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
];
const GIVEN_M: [(&str, &str); 6] = [
    ("太郎", "タロウ"),
    ("一郎", "イチロウ"),
    ("健", "ケン"),
    ("翔太", "ショウタ"),
    ("大輔", "ダイスケ"),
    ("誠", "マコト"),
];
const GIVEN_F: [(&str, &str); 6] = [
    ("花子", "ハナコ"),
    ("美咲", "ミサキ"),
    ("陽子", "ヨウコ"),
    ("さくら", "サクラ"),
    ("愛", "アイ"),
    ("由美", "ユミ"),
];

/// Employees of the generated company: one for every ten rows (ten yearly checkups each).
struct Employee {
    number: String,
    family: &'static str,
    given: &'static str,
    kana: String,
    birth: chrono::NaiveDate,
    male: bool,
}

fn employees(n: usize) -> Vec<Employee> {
    let mut rng = Rng(0x5eed_0001_2345_6789);
    (0..n)
        .map(|i| {
            let male = rng.next().is_multiple_of(2);
            let (f, fk) = FAMILY.get((rng.next() % 12) as usize).copied().unwrap_or(("山田", "ヤマダ"));
            let given = if male { &GIVEN_M } else { &GIVEN_F };
            let (g, gk) = given.get((rng.next() % 6) as usize).copied().unwrap_or(("太郎", "タロウ"));
            let birth = chrono::NaiveDate::from_ymd_opt(
                1955 + (rng.next() % 45) as i32,
                1 + (rng.next() % 12) as u32,
                1 + (rng.next() % 28) as u32,
            )
            .unwrap_or_default();
            Employee { number: format!("B{:06}", i + 1), family: f, given: g, kana: format!("{fk} {gk}"), birth, male }
        })
        .collect()
}

/// 和暦 as the file writes birth dates: `S45.04.01`, `H02.05.03`.
fn wareki(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let (era, base) =
        if d >= chrono::NaiveDate::from_ymd_opt(1989, 1, 8).unwrap_or_default() { ("H", 1988) } else { ("S", 1925) };
    format!("{era}{:02}.{:02}.{:02}", d.year() - base, d.month(), d.day())
}

/// Writes `DIR/checkup-ROWS.csv` (CP932), `DIR/employees-ROWS.csv` (UTF-8: the employees the
/// rows name) and `DIR/bench-sakura40.toml`.
pub fn generate(rows: usize, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let n_emp = (rows / 10).max(1);
    let emps = employees(n_emp);
    let cols = columns()?;
    std::fs::write(dir.join("bench-sakura40.toml"), profile_text(&cols))?;
    let mut hr = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("employees-{rows}.csv")))?);
    writeln!(hr, "employee_number,family_name,given_name,kana,birth_date,sex")?;
    for e in &emps {
        writeln!(
            hr,
            "{},{},{},{},{},{}",
            e.number,
            e.family,
            e.given,
            e.kana,
            e.birth,
            if e.male { "M" } else { "F" }
        )?;
    }
    hr.flush()?;
    let path = dir.join(format!("checkup-{rows}.csv"));
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let mut header = String::from("従業員コード,姓,名,カナ氏名,生年月日,性別,健診日");
    for c in &cols {
        header.push(',');
        header.push_str(&c.header);
        if let Some(f) = c.flag {
            header.push(',');
            header.push_str(f);
        }
    }
    header.push_str(",医師の所見\r\n");
    let mut line = String::with_capacity(1024);
    let mut rng = Rng(0x0dd_ba11_cafe_f00d);
    let enc = |s: &str, out: &mut dyn Write| -> Result<()> {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(s);
        out.write_all(&bytes)?;
        Ok(())
    };
    enc(&header, &mut out)?;
    let comments = ["特記事項なし", "経過観察", "要再検査（血圧）", "生活習慣の改善を", "要精密検査", ""];
    let mut bytes_before = 0usize;
    for r in 0..rows {
        let e = emps.get(r % n_emp).ok_or_else(|| anyhow!("no employee"))?;
        // Ten yearly checkups per employee, one a year from 2016, on a weekday-ish date.
        let year = 2016 + (r / n_emp) as i32;
        let date = chrono::NaiveDate::from_ymd_opt(year, 4 + (r % 8) as u32, 1 + (r % 28) as u32).unwrap_or_default();
        line.clear();
        let number = if r % 17 == 0 { e.number.replace('B', "Ｂ") } else { e.number.clone() };
        line.push_str(&format!(
            "{number},{},{},{},{},{},{}",
            e.family,
            e.given,
            e.kana,
            wareki(e.birth),
            if e.male { 1 } else { 2 },
            date.format("%Y%m%d")
        ));
        for (i, c) in cols.iter().enumerate() {
            let v = c.lo + c.span * rng.unit();
            let text = format!("{v:.*}", c.decimals);
            let roll = rng.next() % 100;
            line.push(',');
            match roll {
                0 => line.push_str("未実施"),
                1 | 2 => {}
                3 => line.push_str(&format!("<{:.*}", c.decimals, c.lo)),
                4..=6 => line.push_str(&text.chars().map(full_width).collect::<String>()),
                7..=9 if c.flag.is_none() => {
                    line.push_str(&text);
                    line.push(if i % 2 == 0 { 'H' } else { 'L' });
                }
                _ => line.push_str(&text),
            }
            if c.flag.is_some() {
                line.push(',');
                if roll.is_multiple_of(7) {
                    line.push('H');
                }
            }
        }
        line.push(',');
        line.push_str(rng.pick(&comments));
        line.push_str("\r\n");
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&line);
        bytes_before += bytes.len();
        out.write_all(&bytes)?;
    }
    out.flush()?;
    println!(
        "gen-csv: {} — {rows} rows × {} result columns, {n_emp} employees, {:.1} MB CP932",
        path.display(),
        cols.len(),
        bytes_before as f64 / 1e6
    );
    Ok(())
}

fn full_width(c: char) -> char {
    match c {
        '0'..='9' => char::from_u32(u32::from(c) - u32::from('0') + 0xFF10).unwrap_or(c),
        '.' => '．',
        _ => c,
    }
}

fn tables() -> Result<(&'static iphr_domain::ohcc::ItemTable, &'static iphr_convert::units::UnitTable)> {
    Ok((
        iphr_domain::ohcc::ItemTable::embedded().map_err(|e| anyhow!(e.to_string()))?,
        iphr_convert::units::UnitTable::embedded().map_err(|e| anyhow!(e.to_string()))?,
    ))
}

fn read_profile(path: &Path) -> Result<iphr_convert::profile::Profile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(iphr_convert::profile::Profile::parse(&path.display().to_string(), &text)?)
}

/// Conversion alone: the file streamed through its profile (decoding, CSV, identity, dates,
/// values, units) into visits, 4,000 rows at a time, nothing kept.
pub fn convert_file(file: &Path, profile: &Path) -> Result<()> {
    use iphr_convert::checkup_csv::CsvStream;
    let (table, units) = tables()?;
    let profile = read_profile(profile)?;
    let size = std::fs::metadata(file)?.len();
    let t = Instant::now();
    let reader = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(file)?);
    let enc = iphr_convert::text::Encoding::Cp932;
    let mut stream = CsvStream::new(reader, enc, &profile, "bench", table, units)?;
    let (mut rows, mut values, mut errors) = (0usize, 0usize, 0usize);
    while let Some(chunk) = stream.next_chunk(4_000)? {
        rows += chunk.rows_read;
        errors += chunk.errors.len();
        values += chunk.visits.iter().map(|v| v.results.len()).sum::<usize>();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "convert-csv: {rows} rows, {:.1} MB: {secs:.3} s, {:.0} rows/s, {:.0} values/s ({errors} row errors); peak RSS {:.0} MiB",
        size as f64 / 1e6,
        rows as f64 / secs,
        values as f64 / secs,
        super::peak_rss_mib()
    );
    Ok(())
}

async fn open(url: &str) -> Result<std::sync::Arc<dyn iphr_store::Store>> {
    let store: std::sync::Arc<dyn iphr_store::Store> = if url.starts_with("postgres") {
        std::sync::Arc::new(iphr_store_postgres::PgStore::connect(url).await?)
    } else {
        std::sync::Arc::new(iphr_store_sqlite::SqliteStore::open(url).await?)
    };
    store.migrate().await?;
    Ok(store)
}

/// The company `ベンチ健診株式会社` and the employees of an employees CSV (from `gen-csv`).
pub async fn setup_employees(url: &str, csv_path: &Path) -> Result<()> {
    use iphr_domain::person::{Employment, InsurerIds, Person, Sex};
    let store = open(url).await?;
    let company =
        iphr_domain::tenant::Company { id: iphr_domain::CompanyId::new(), name: "ベンチ健診株式会社".into() };
    store.create_company(&company).await?;
    let mut rdr = csv::Reader::from_path(csv_path)?;
    let mut batch = iphr_store::Batch::default();
    for rec in rdr.records() {
        let rec = rec?;
        let f = |i: usize| rec.get(i).unwrap_or("").to_string();
        let kana = f(3);
        let (fk, gk) = kana.split_once(' ').unwrap_or((kana.as_str(), ""));
        let person = Person {
            id: iphr_domain::PersonId::new(),
            family_name: f(1),
            given_name: f(2),
            family_kana: fk.into(),
            given_kana: gk.into(),
            sex: if f(5) == "M" { Sex::Male } else { Sex::Female },
            birth_date: f(4).parse()?,
            insurer: InsurerIds::default(),
            name_as_delivered: None,
            kana_as_delivered: None,
        };
        batch.employments.push(Employment {
            company_id: company.id,
            id: iphr_domain::EmploymentId::new(),
            person_id: person.id,
            employee_number: f(0),
            hire_date: chrono::NaiveDate::from_ymd_opt(2010, 4, 1).unwrap_or_default(),
            leave_date: None,
        });
        batch.persons.push(person);
        if batch.persons.len() >= 5_000 {
            store.insert_batch(&batch).await?;
            batch = iphr_store::Batch::default();
        }
    }
    store.insert_batch(&batch).await?;
    println!("setup-employees: company {} ({})", company.name, company.id);
    Ok(())
}

/// End to end through the library from a path (what `iphr import checkup-csv` does, but the
/// file streamed rather than read into memory first).
pub async fn import_file(url: &str, file: &Path, profile: &Path, dry_run: bool, chunk_rows: usize) -> Result<()> {
    let store = open(url).await?;
    let profile = read_profile(profile)?;
    let company = store
        .list_companies()
        .await?
        .into_iter()
        .find(|c| c.name == "ベンチ健診株式会社")
        .ok_or_else(|| anyhow!("run setup-employees first"))?;
    let t = Instant::now();
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let out = iphr_import::import_checkup_csv_chunked(
        store.as_ref(),
        company.id,
        &profile,
        &name,
        iphr_import::CsvInput::Path(file),
        "bench",
        iphr_import::Options { dry_run, ..Default::default() },
        chunk_rows,
        &|_, _, _| {},
    )
    .await?;
    let r = out.report();
    println!(
        "import-csv{} ({chunk_rows} rows a chunk): {name}: read {}, imported {}, unchanged {}, queued {}, errors {} — {:.2} s; peak RSS {:.0} MiB",
        if dry_run { " (dry run)" } else { "" },
        r.read,
        r.summary.imported,
        r.summary.unchanged,
        r.summary.queued,
        r.errors.len(),
        t.elapsed().as_secs_f64(),
        super::peak_rss_mib()
    );
    Ok(())
}

fn repo_file(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

/// eCheckup FHIR Bundles (the IG's examples in fixtures/fhir) parsed `n` times each.
pub fn fhir(n: usize) -> Result<()> {
    let (table, units) = tables()?;
    let mut bundles = Vec::new();
    for entry in std::fs::read_dir(repo_file("fixtures/fhir"))? {
        let p = entry?.path();
        if p.extension().is_some_and(|e| e == "json") {
            bundles.push(std::fs::read(&p)?);
        }
    }
    let t = Instant::now();
    let mut obs = 0usize;
    for _ in 0..n {
        for b in &bundles {
            let r = iphr_convert::fhir::parse(b, table, units).map_err(|e| anyhow!(e.to_string()))?;
            obs += r.records.iter().map(|v| v.results.len()).sum::<usize>();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "fhir: {} bundles, {obs} Observations read: {secs:.3} s, {:.0} Observations/s, {:.0} bundles/s",
        n * bundles.len(),
        obs as f64 / secs,
        (n * bundles.len()) as f64 / secs
    );
    Ok(())
}

/// The MHLW CDA example (fixtures/cda) parsed `n` times.
pub fn cda(n: usize) -> Result<()> {
    let (table, units) = tables()?;
    let doc = std::fs::read(repo_file("fixtures/cda/example-tokuteikenshin.xml"))?;
    let t = Instant::now();
    let mut obs = 0usize;
    for _ in 0..n {
        let r = iphr_convert::cda::parse(&doc, table, units).map_err(|e| anyhow!(e.to_string()))?;
        obs += r.records.iter().map(|v| v.results.len()).sum::<usize>();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "cda: {n} documents ({:.1} KB each, {obs} data): {secs:.3} s, {:.0} documents/s",
        doc.len() as f64 / 1e3,
        n as f64 / secs
    );
    Ok(())
}
