"""Structured renderers (json, csv, table) over any report's rows.

A report model is a sequence of reports (one per sample); each report is a
list of rows, each row a flat dict whose keys are the report's fields.  The
tool-compatible text layout lives with each command; these renderers are
shared by all of them:

* ``json``: one JSON array of row objects, streamed a row per line (so a
  long-running report can be read as it goes and is a valid document once it
  ends);
* ``csv``: a header line of field names, then one line per row;
* ``table``: one table (tabulate) of every row, printed when the run ends.

Every row carries ``timestamp`` (ISO 8601, local time with UTC offset) of
the sample it belongs to.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple, TextIO

FORMATS = ("text", "json", "csv", "table")


class Field(NamedTuple):
    name: str
    unit: str
    help: str


def iso_time(epoch: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(int(epoch)).astimezone().isoformat()


def render(fmt: str, fields: list[Field], reports: Iterable[list[dict]], out: TextIO) -> None:
    """Write every row of ``reports`` to ``out`` in format ``fmt``."""
    names = ["timestamp"] + [f.name for f in fields]
    if fmt == "json":
        _json(names, reports, out)
    elif fmt == "csv":
        _csv(names, reports, out)
    elif fmt == "table":
        _table(names, reports, out)
    else:  # pragma: no cover - the CLI only offers FORMATS
        raise ValueError(fmt)


def _rows(names: list[str], reports: Iterable[list[dict]]):
    stamps: dict[float, str] = {}
    for report in reports:
        for row in report:
            out = {n: row[n] for n in names}
            t = out["timestamp"]
            if t not in stamps:
                stamps[t] = iso_time(t)
            out["timestamp"] = stamps[t]
            yield out


def _json(names, reports, out) -> None:
    import json

    out.write("[")
    sep = "\n"
    try:
        for row in _rows(names, reports):
            out.write(sep + json.dumps(row))
            out.flush()
            sep = ",\n"
    finally:
        out.write("\n]\n" if sep != "\n" else "]\n")
        out.flush()


def _csv(names, reports, out) -> None:
    import csv

    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    out.flush()
    for row in _rows(names, reports):
        writer.writerow(row)
        out.flush()


def _table(names, reports, out) -> None:
    from tabulate import tabulate

    rows = []
    try:
        for row in _rows(names, reports):
            rows.append([row[n] for n in names])
    finally:
        # Interrupted or not, show what was collected.
        out.write(tabulate(rows, headers=names, disable_numparse=True) + "\n")
        out.flush()
