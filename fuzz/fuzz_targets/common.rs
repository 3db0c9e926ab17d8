//! What the targets share: the embedded code and unit tables, loaded once per process.

#![allow(dead_code)]

use iphr_convert::units::UnitTable;
use iphr_domain::ohcc::ItemTable;
use std::sync::LazyLock;

/// The embedded OHCC item table.
pub static ITEMS: LazyLock<ItemTable> = LazyLock::new(|| ItemTable::embedded().expect("the embedded OHCC table loads"));

/// The embedded unit-conversion table.
pub static UNITS: LazyLock<UnitTable> = LazyLock::new(|| UnitTable::embedded().expect("the embedded unit table loads"));
