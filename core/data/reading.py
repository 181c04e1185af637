"""Reading CSV bytes into a table: decoding, the separator, row checks, header names, cell types.

``read_csv_bytes`` accepts UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark,
Windows-1252 and Latin-1; comma, semicolon, tab or pipe separators; decimal commas; "?" for a gap.
Anything unusable (an image, a ragged row, too many rows or columns) is a DataError that says so.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from .columns import TRUE_FALSE, text_values
from .. import limits
from .errors import DataError, names_list, quote


_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3", "an SQLite database"),
]
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$|^[+-]?\d+$")


def _not_csv(filename: str, what: str = "") -> DataError:
    found = f" (it appears to be {what})" if what else ""
    return DataError(
        f"{quote(filename)} does not look like a CSV text file{found}; save the table as comma-separated text (.csv) and upload that."
    )


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise _not_csv(filename) from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _not_csv(filename, what)
    if b"\x00" in data[:65536]:
        raise _not_csv(filename)
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252 (Latin-1)"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "Latin-1"
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) <= 0x9F)
    if sample and controls > max(2, 0.01 * len(sample)):
        raise _not_csv(filename)
    return text.lstrip("\ufeff"), encoding


def _sniff_delimiter(text: str) -> str:
    """Pick the separator that splits the header into most fields and the sample rows most consistently."""
    lines = text[:65536].splitlines()
    if len(text) > 65536 and len(lines) > 1:
        lines = lines[:-1]
    lines = [line for line in lines if line.strip()][:50]
    best, best_score = ",", (0.0, 1)
    for d in _DELIMITERS:
        try:
            rows = [r for r in csv.reader(lines, delimiter=d, skipinitialspace=True) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistency = sum(len(r) == width for r in rows) / len(rows)
        score = (consistency, width)
        if score > best_score:
            best, best_score = d, score
    return best


def _scan_rows(text: str, delimiter: str, filename: str) -> tuple[list[str], int]:
    """Check the header and that every row has as many fields; return (header, number of data rows)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    header: list[str] | None = None
    n_rows, previous_line, start = 0, 0, 1
    bounds = limits.current()
    try:
        for row in reader:
            start, previous_line = previous_line + 1, reader.line_num
            if not row or all(not f.strip() for f in row):
                continue
            if header is None:
                header = row
                if len(header) > bounds.max_columns:
                    raise DataError(
                        f"{quote(filename)} has {len(header)} columns, more than the limit of {bounds.max_columns}; "
                        f"keep at most {bounds.max_columns} columns."
                    )
                continue
            if len(row) != len(header):
                raise DataError(
                    f"Line {start} of {quote(filename)} has {len(row)} fields but the header has {len(header)}; "
                    "fix that row (look for a missing or extra separator or an unclosed quote) and try again."
                )
            n_rows += 1
            if n_rows > bounds.max_rows:
                raise DataError(
                    f"{quote(filename)} has more than {bounds.max_rows:,} data rows, the limit; "
                    f"use a sample of at most {bounds.max_rows:,} rows."
                )
    except csv.Error as exc:
        raise DataError(
            f"Line {previous_line + 1} of {quote(filename)} could not be read as CSV ({exc}); "
            "look for an unclosed quote near that line."
        ) from None
    if header is None:
        raise DataError(f"{quote(filename)} is empty; choose a CSV file with a header row and data rows.")
    return header, n_rows


def _clean_header(header: list[str], filename: str, notes: list[str]) -> list[str]:
    """Column names stripped (a blank one becomes column_<n>); duplicate names are an error."""
    names = []
    for i, raw in enumerate(header):
        name = raw.replace("\ufeff", "").strip()
        if not name:
            name = f"column_{i + 1}"
            notes.append(f"Column {i + 1} has no name in the header; it is called {name!r}.")
        names.append(name)
    looks_numeric = all(_DECIMAL_COMMA.match(n) or re.fullmatch(r"[+-]?\d*\.?\d+(e[+-]?\d+)?", n, re.I) for n in names)
    counts = pd.Series(names).value_counts()
    dupes = [n for n in names if counts[n] > 1]
    dupes = list(dict.fromkeys(dupes))
    if dupes:
        hint = " (the first row looks like data: add a header row)" if looks_numeric else ""
        raise DataError(
            f"{quote(filename)} has duplicate column names {names_list(dupes)}{hint}; "
            "rename the columns so every name is unique.",
            column=dupes[0] if len(dupes) == 1 else None,
        )
    if looks_numeric:
        notes.append("The header row looks like numbers; if the file has no header row, add one with column names.")
    return names


def _tidy_columns(frame: pd.DataFrame, delimiter: str, notes: list[str]) -> pd.DataFrame:
    """Strip text cells; read true/false columns as booleans and numbers written as text or with
    decimal commas as numbers; turn infinities into missing values."""
    converted = []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            if pd.api.types.is_float_dtype(s):
                frame[c] = s.where(np.isfinite(s.to_numpy(dtype=np.float64)), np.nan)
            continue
        t = pd.Series(text_values(s), index=s.index, dtype="str")
        present = t.dropna()
        if present.empty:
            frame[c] = t
            continue
        lowered = present.str.lower()
        if lowered.isin(list(TRUE_FALSE)).all():
            flags = t.str.lower().map({"true": True, "false": False})
            frame[c] = flags.astype(bool) if len(present) == len(t) else flags.astype("boolean")
            continue
        head = pd.to_numeric(present.iloc[:50], errors="coerce")
        if head.notna().all() and pd.to_numeric(present, errors="coerce").notna().all():
            frame[c] = pd.to_numeric(t, errors="coerce")  # int64 when every cell is a whole number
            continue
        if delimiter != "," and present.str.match(_DECIMAL_COMMA).all() and present.str.contains(",").any():
            frame[c] = pd.to_numeric(t.str.replace(",", ".", regex=False), errors="coerce").astype(np.float64)
            converted.append(c)
            continue
        frame[c] = t
    if converted:
        notes.append(f"Read decimal commas as numbers in {names_list(converted)}.")
    return frame


def _empty(filename: str) -> DataError:
    return DataError(f"{quote(filename)} is empty; choose a CSV file with a header row and data rows.")


def _no_rows(filename: str) -> DataError:
    return DataError(
        f"{quote(filename)} has a header row but no data rows; add at least {limits.current().min_rows} rows of data below the header."
    )


def _text(data: bytes, filename: str) -> tuple[str, str]:
    """The file's text and the name of its encoding, after the size and emptiness checks."""
    most = limits.current().max_upload_bytes
    if len(data) > most:
        raise DataError(
            f"{quote(filename)} is {len(data) / 2**20:.1f} MB, more than the {most // 2**20} MB limit; "
            "upload a smaller file or a sample of its rows."
        )
    if not data.strip():
        raise _empty(filename)
    text, encoding = _decode(data, filename)
    if not text.strip():
        raise _empty(filename)
    return text, encoding


def _parse(text: str, delimiter: str, names: list[str], filename: str) -> pd.DataFrame:
    """The checked text as a table with the cleaned names; "?" and pandas' usual markers are gaps."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=0,
            names=names,
            index_col=False,
            skipinitialspace=True,
            na_values=["?"],
            keep_default_na=True,
            skip_blank_lines=True,
            low_memory=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{quote(filename)} could not be read as CSV ({exc}); check the file's separators and quotes.") from None


def _typed(frame: pd.DataFrame, delimiter: str, notes: list[str]) -> pd.DataFrame:
    """Rows with no value at all left out (before tidying too, so gaps do not set types), cells typed."""
    n_parsed = len(frame)
    frame = frame[~frame.isna().all(axis=1)].reset_index(drop=True)
    frame = _tidy_columns(frame, delimiter, notes)
    frame = frame[~frame.isna().all(axis=1)].reset_index(drop=True)
    if len(frame) < n_parsed:
        skipped = n_parsed - len(frame)
        notes.append(f"Skipped {skipped} empty row{'s' if skipped > 1 else ''}.")
    return frame


def read_csv_bytes(data: bytes, *, filename: str = "data.csv") -> tuple[pd.DataFrame, list[str]]:
    """Parse and validate an uploaded table; return (frame, notes). Raises DataError for anything unusable.

    Any number of data rows is accepted here (new rows to predict on may be few); load_csv needs
    at least the min_rows limit to split.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"read_csv_bytes expects bytes, not {type(data).__name__}")
    filename = str(filename or "data.csv")
    text, encoding = _text(data, filename)
    delimiter = _sniff_delimiter(text)
    notes = [f"Read as {encoding} text with {_DELIMITERS[delimiter]}-separated columns."]
    header, n_rows = _scan_rows(text, delimiter, filename)
    names = _clean_header(header, filename, notes)
    if n_rows == 0:
        raise _no_rows(filename)
    frame = _typed(_parse(text, delimiter, names, filename), delimiter, notes)
    if len(frame) == 0:
        raise _no_rows(filename)
    return frame, notes
