//! `iphr ohcc items|values`: the OHCC code table a mapping profile maps to — every item with its
//! unit, value kind, information class and JLAC10 code, and the value codes of coded items (what
//! a profile's `values = { … }` may name). Reads only the embedded tables: no database.

use crate::cli::context::write_stdout;
use anyhow::{Result, bail};
use iphr_domain::normalize::search_key;
use iphr_domain::ohcc::{ItemCode, ItemTable, ValueKind};
use serde::Serialize;

/// `iphr ohcc …`
#[derive(clap::Subcommand, Debug)]
pub enum OhccCmd {
    /// The items: code, name, unit, value kind, information class, JLAC10 code.
    Items {
        /// Only items whose code, name (Japanese or English) or JLAC10 code contains this
        /// (width, kana and case folded).
        #[arg(long)]
        query: Option<String>,
        /// JSON instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
    /// The value codes of coded items (a profile's `values = { "source" = "code" }` maps to
    /// these; its keys are matched after NFKC folding, e.g. full-width digits).
    Values {
        /// Only this item's value set (an OHCC code).
        #[arg(long)]
        item: Option<String>,
        /// Only values whose item, code or label contains this (folded as above).
        #[arg(long)]
        query: Option<String>,
        /// JSON instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct ItemRow<'a> {
    item: &'a str,
    name_ja: &'a str,
    name_en: &'a str,
    unit: &'a str,
    value_kind: &'static str,
    info_class: &'static str,
    jlac10: &'a str,
}

#[derive(Serialize)]
struct ValueRow<'a> {
    item: &'a str,
    item_name: &'a str,
    code: &'a str,
    label_ja: &'a str,
    label_en: &'a str,
}

fn kind(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Number => "number",
        ValueKind::Coded => "coded",
        ValueKind::Text => "text",
        ValueKind::Document => "document",
    }
}

/// Whether any of `fields` contains the query (folded like the worker search).
fn matches(query: Option<&str>, fields: &[&str]) -> bool {
    match query.map(search_key).filter(|q| !q.is_empty()) {
        None => true,
        Some(q) => fields.iter().any(|f| search_key(f).contains(&q)),
    }
}

/// Runs `iphr ohcc …`.
pub fn run(cmd: OhccCmd) -> Result<()> {
    let table = ItemTable::embedded()?;
    match cmd {
        OhccCmd::Items { query, json } => {
            let rows: Vec<ItemRow<'_>> = table
                .items()
                .filter(|d| matches(query.as_deref(), &[d.item.as_str(), &d.name_ja, &d.name_en, &d.jlac10]))
                .map(|d| ItemRow {
                    item: d.item.as_str(),
                    name_ja: &d.name_ja,
                    name_en: &d.name_en,
                    unit: &d.unit,
                    value_kind: kind(d.value_kind),
                    info_class: d.info_class.as_str(),
                    jlac10: &d.jlac10,
                })
                .collect();
            if json {
                return write_stdout(&(serde_json::to_string_pretty(&rows)? + "\n"));
            }
            let mut text = String::from("item\tname_ja\tunit\tvalue_kind\tinfo_class\tjlac10\n");
            for r in &rows {
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\n",
                    r.item, r.name_ja, r.unit, r.value_kind, r.info_class, r.jlac10
                ));
            }
            write_stdout(&text)
        }
        OhccCmd::Values { item, query, json } => {
            let only = match item.as_deref() {
                Some(i) => {
                    let code = ItemCode::parse(i).map_err(|e| anyhow::anyhow!("--item {i:?}: {e}"))?;
                    let Some(d) = table.get(&code) else { bail!("--item {i}: not in the OHCC table") };
                    if d.value_kind != ValueKind::Coded {
                        bail!("--item {i} ({}) is a {} item: it has no value codes", d.name_ja, kind(d.value_kind));
                    }
                    Some(code)
                }
                None => None,
            };
            let mut rows = Vec::new();
            for d in table.items().filter(|d| d.value_kind == ValueKind::Coded) {
                if only.is_some_and(|o| o != d.item) {
                    continue;
                }
                for v in table.value_set(&d.item) {
                    if matches(query.as_deref(), &[d.item.as_str(), &d.name_ja, &v.code, &v.label_ja, &v.label_en]) {
                        rows.push(ValueRow {
                            item: d.item.as_str(),
                            item_name: &d.name_ja,
                            code: &v.code,
                            label_ja: &v.label_ja,
                            label_en: &v.label_en,
                        });
                    }
                }
            }
            if json {
                return write_stdout(&(serde_json::to_string_pretty(&rows)? + "\n"));
            }
            let mut text = String::from("item\titem_name\tcode\tlabel_ja\tlabel_en\n");
            for r in &rows {
                text.push_str(&format!("{}\t{}\t{}\t{}\t{}\n", r.item, r.item_name, r.code, r.label_ja, r.label_en));
            }
            write_stdout(&text)
        }
    }
}
