#!/usr/bin/env python3
"""Writes the CSV inputs of the CSV reader benchmark (scripts/bench/csv.sh) from Ouro's JSONL data sets.

    make_csv.py DATA_DIR OUT_DIR [TOTAL_MB]   (default 80)

Python's csv module writes them (RFC 4180: CRLF line ends, fields holding commas, quotes or newlines
are quoted, quotes doubled), so it is the ground truth: next to each NAME.csv goes NAME.csv.expect,
{"records": N, "fields": F, "sha256": HEX}, where records counts the header row too and sha256 is over
every field's UTF-8 bytes followed by 0x1F, each record followed by 0x1E (the bench hashes each
reader's output the same way). Each set is replicated (ids renumbered) up to TOTAL_MB / number of sets.

Sets, each written only when its JSONL files are in DATA_DIR:
  reviews.csv   tweets, amazon_reviews, movie_reviews, nyt_editorials: id,source,text,sentiment
                (short one-sentence texts; about a third hold commas, a few quotes)
  fortunes.csv  fortunes: id,topic,offensive,text (multi-line texts with tabs, quotes, leading blanks)
  sotu.csv      sotu: id,year,president,party,speech,text (paragraphs, a few with newlines)
"""
import csv
import hashlib
import json
import os
import sys

SETS = [
    ("reviews", ["tweets", "amazon_reviews", "movie_reviews", "nyt_editorials"],
     ["source", "text", "sentiment"]),
    ("fortunes", ["fortunes"], ["topic", "offensive", "text"]),
    ("sotu", ["sotu"], ["year", "president", "party", "speech", "text"]),
]


def rows_of(data_dir, sources, columns):
    rows = []
    for src in sources:
        with open(os.path.join(data_dir, src + ".jsonl"), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                d = json.loads(line)
                d.setdefault("source", src)
                rows.append(["" if d.get(c) is None else str(d.get(c)) for c in columns])
    return rows


def write(path, header, rows, target_bytes):
    h = hashlib.sha256()
    records = fields = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)  # QUOTE_MINIMAL, lineterminator "\r\n"

        def put(row):
            nonlocal records, fields
            w.writerow(row)
            h.update(b"".join(x.encode("utf-8") + b"\x1f" for x in row) + b"\x1e")
            records += 1
            fields += len(row)

        put(header)
        n = 0
        while True:
            for r in rows:
                n += 1
                put([str(n)] + r)
            if f.tell() >= target_bytes:
                break
    with open(path + ".expect", "w") as e:
        json.dump({"records": records, "fields": fields, "sha256": h.hexdigest()}, e)
    return records, os.path.getsize(path)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    total_mb = float(sys.argv[3]) if len(sys.argv) > 3 else 80.0
    present = [s for s in SETS if all(os.path.exists(os.path.join(data_dir, x + ".jsonl")) for x in s[1])]
    if not present:
        sys.exit(f"make_csv: none of the data sets' JSONL files are in {data_dir}")
    os.makedirs(out_dir, exist_ok=True)
    target = total_mb * 1e6 / len(present)
    for name, sources, columns in present:
        rows = rows_of(data_dir, sources, columns)
        path = os.path.join(out_dir, name + ".csv")
        records, size = write(path, ["id"] + columns, rows, target)
        print(f"{path}: {size / 1e6:.1f} MB, {records} records ({len(rows)} distinct rows)", file=sys.stderr)
        print(path)


if __name__ == "__main__":
    main()
