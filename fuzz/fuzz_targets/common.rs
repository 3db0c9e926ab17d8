//! What the targets share: the embedded code and unit tables (each parsed once per process by its
//! accessor).

#![allow(dead_code)]

use iphr_convert::units::UnitTable;
use iphr_domain::ohcc::ItemTable;
use std::sync::LazyLock;

/// The embedded OHCC item table.
pub static ITEMS: LazyLock<&'static ItemTable> =
    LazyLock::new(|| ItemTable::embedded().expect("the embedded OHCC table loads"));

/// The embedded unit-conversion table.
pub static UNITS: LazyLock<&'static UnitTable> =
    LazyLock::new(|| UnitTable::embedded().expect("the embedded unit table loads"));
