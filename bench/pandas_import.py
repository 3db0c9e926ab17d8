#!/usr/bin/env python3
"""Baseline for the checkup-CSV import benchmark (docs/benchmarks.md, "Data conversion").

A plain pandas script doing the same kind of work as `iphr import checkup-csv` on the files of
`iphr-bench gen-csv`: read the CP932 CSV with pandas, normalise (full-width digits, comparators
like <5, H/L marks, 和暦 birth dates in the S/H/R forms the file uses, YYYYMMDD visit dates,
未実施), match employees by employee number, and write persons, events and observations (with
an index for the timeline) into a SQLite file with executemany in one transaction.

It does less than iphr: no duplicate detection against stored results, no corrections or
history, no identity queue, no unit conversion beyond the two columns the profile converts,
no provenance per value beyond the raw text.

usage: pandas_import.py CHECKUP.csv EMPLOYEES.csv OUT.db
"""

import re
import sqlite3
import sys
import time
import uuid

import pandas as pd

ERAS = {"M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018}
FULL = str.maketrans("０１２３４５６７８９．－＜＞ＢＨＬ", "0123456789.-<>BHL")
NUM = re.compile(r"^(?P<pre>[HL])?(?P<cmp><=|>=|<|>)?(?P<num>[-+]?[0-9]*\.?[0-9]+)(?P<post>[HL])?$")
FACTORS = {"血色素(g/L)": 0.1, "空腹時血糖(mmol/L)": 18.016}
ID_COLS = ["従業員コード", "姓", "名", "カナ氏名", "生年月日", "性別", "健診日"]


def wareki(s):
    s = str(s).translate(FULL)
    era = ERAS.get(s[:1])
    if era is None:
        return None
    y, m, d = s[1:].split(".")
    return f"{era + int(y):04d}-{int(m):02d}-{int(d):02d}"


def main():
    csv_path, emp_path, db_path = sys.argv[1:4]
    t0 = time.time()
    df = pd.read_csv(csv_path, encoding="cp932", dtype=str, keep_default_na=False)
    emps = pd.read_csv(emp_path, dtype=str)
    emps["person_id"] = [uuid.uuid4().bytes for _ in range(len(emps))]
    df["従業員コード"] = df["従業員コード"].str.translate(FULL)
    df["birth"] = df["生年月日"].map(wareki)
    df["date"] = pd.to_datetime(df["健診日"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    df = df.merge(emps[["employee_number", "person_id"]], left_on="従業員コード", right_on="employee_number", how="left")
    df["event_id"] = [uuid.uuid4().bytes for _ in range(len(df))]
    value_cols = [c for c in df.columns if c not in ID_COLS + ["birth", "date", "employee_number", "person_id", "event_id", "医師の所見"] and not c.endswith("HL")]
    long = df.melt(id_vars=["person_id", "event_id", "date"], value_vars=value_cols, var_name="item", value_name="raw")
    long = long[long["raw"] != ""]
    folded = long["raw"].str.translate(FULL)
    parts = folded.str.extract(NUM)
    long["not_done"] = folded == "未実施"
    long["num"] = pd.to_numeric(parts["num"], errors="coerce")
    long["comparator"] = parts["cmp"]
    long["flag"] = parts["pre"].fillna(parts["post"])
    for col, f in FACTORS.items():
        m = long["item"] == col
        long.loc[m, "num"] = long.loc[m, "num"] * f
    long = long[long["person_id"].notna()]
    long["id"] = [uuid.uuid4().bytes for _ in range(len(long))]
    t1 = time.time()

    con = sqlite3.connect(db_path)
    con.executescript(
        """
        PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
        CREATE TABLE IF NOT EXISTS persons (id BLOB PRIMARY KEY, employee_number TEXT, family_name TEXT, given_name TEXT, kana TEXT, birth_date TEXT, sex TEXT);
        CREATE TABLE IF NOT EXISTS events (id BLOB PRIMARY KEY, person_id BLOB, event_date TEXT, kind TEXT, source TEXT);
        CREATE TABLE IF NOT EXISTS observations (id BLOB PRIMARY KEY, event_id BLOB, person_id BLOB, item TEXT, num REAL, comparator TEXT, flag TEXT, not_done INTEGER, raw TEXT, event_date TEXT);
        CREATE INDEX IF NOT EXISTS events_person ON events (person_id, event_date);
        CREATE INDEX IF NOT EXISTS observations_person ON observations (person_id, event_date);
        """
    )
    with con:
        con.executemany(
            "INSERT OR IGNORE INTO persons VALUES (?, ?, ?, ?, ?, ?, ?)",
            emps[["person_id", "employee_number", "family_name", "given_name", "kana", "birth_date", "sex"]].itertuples(index=False, name=None),
        )
        ev = df[df["person_id"].notna()]
        con.executemany(
            "INSERT INTO events VALUES (?, ?, ?, 'checkup', ?)",
            zip(ev["event_id"], ev["person_id"], ev["date"], [csv_path] * len(ev)),
        )
        con.executemany(
            "INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            zip(long["id"], long["event_id"], long["person_id"], long["item"], long["num"].where(long["num"].notna(), None),
                long["comparator"].where(long["comparator"].notna(), None), long["flag"].where(long["flag"].notna(), None),
                long["not_done"].astype(int), long["raw"], long["date"]),
        )
    t2 = time.time()
    print(f"pandas: {len(df)} rows, {len(long)} observations: read+normalise {t1 - t0:.2f} s, write {t2 - t1:.2f} s, total {t2 - t0:.2f} s")


if __name__ == "__main__":
    main()
