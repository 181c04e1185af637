"""Reading CSV bytes: encodings, separators, quoting, header rows, limits and ragged rows."""

from __future__ import annotations

import pandas as pd
import pytest

from core import limits
from core.data import DataError, load_csv, read_csv_bytes
from tests.data.tables import rows_with, table


def test_duplicate_names_lists_only_the_duplicates():
    data = rows_with("a,b,a,c,c,label", "{i},{k},{m},1,2,{m}").encode()
    with pytest.raises(DataError) as err:
        read_csv_bytes(data)
    message = str(err.value)
    assert "'a'" in message and "'c'" in message and "'b'" not in message


@pytest.mark.parametrize(
    "bad_line, expected",
    [("7,8,9,10", "has 4 fields but the header has 3"), ("7,8", "has 2 fields but the header has 3")],
)
def test_ragged_row_names_line_and_counts(bad_line, expected):
    lines = ["a,b,label"] + [f"{i},{i % 3},{i % 2}" for i in range(30)]
    lines.insert(5, bad_line)  # physical line 6 of the file
    with pytest.raises(DataError) as err:
        read_csv_bytes("\n".join(lines).encode(), filename="ragged.csv")
    message = str(err.value)
    assert "Line 6" in message and expected in message and "'ragged.csv'" in message


def test_ragged_row_line_number_counts_quoted_line_breaks():
    lines = ['a,b,label', '1,"two\nlines",0'] + [f"{i},x,{i % 2}" for i in range(25)] + ["9,9"]
    with pytest.raises(DataError) as err:
        read_csv_bytes("\n".join(lines).encode())
    assert "Line 29" in str(err.value)


def test_size_limits_are_enforced_and_stated():
    with pytest.raises(DataError) as err:
        read_csv_bytes(b"x" * (limits.current().max_upload_bytes + 1), filename="big.csv")
    assert "50 MB" in str(err.value)

    rows = b"a,b\n" + b"1,2\n" * (limits.current().max_rows + 1)
    with pytest.raises(DataError) as err:
        read_csv_bytes(rows)
    assert "200,000" in str(err.value)

    header = ",".join(f"c{i}" for i in range(limits.current().max_columns + 1))
    with pytest.raises(DataError) as err:
        read_csv_bytes((header + "\n" + ",".join("1" for _ in range(limits.current().max_columns + 1)) + "\n").encode())
    assert "501 columns" in str(err.value) and "500" in str(err.value)
    assert limits.current()["max_categories"] == 30 and limits.current().min_rows == 20


def test_exactly_the_row_limit_is_accepted():
    frame, _ = read_csv_bytes(b"a,b\n" + b"1,2\n" * limits.current().max_rows)
    assert len(frame) == limits.current().max_rows


def test_a_few_rows_parse_for_prediction_but_cannot_be_trained_on():
    frame, _ = read_csv_bytes(b"age,income,city\n30,50.5,Oslo\n41,,Lima\n")
    assert frame.shape == (2, 3)
    with pytest.raises(DataError) as err:
        load_csv(table(n=19).encode(), target="label", filename="small.csv")
    assert "'small.csv' has only 19 data rows" in str(err.value) and "20" in str(err.value)


def test_utf8_bom_is_stripped_from_the_first_column_name():
    ds = load_csv(b"\xef\xbb\xbf" + table().encode(), target="label")
    assert ds.original_columns[0] == "age"
    assert "age" in ds.raw.columns


def test_utf16_text_with_bom_is_read():
    ds = load_csv(table(sep="\t").encode("utf-16"), target="label")
    assert ds.original_columns == ["age", "income", "city"]
    assert any("UTF-16" in note for note in ds.notes)


def test_latin1_semicolon_file_with_decimal_commas():
    lines = ["nom;prix;ville;classe"]
    for i in range(40):
        lines.append(f"article{i % 4};{i},{i % 10};{'Besançon' if i % 2 else 'Orléans'};{'oui' if i % 3 else 'non'}")
    data = ("\r\n".join(lines) + "\r\n").encode("latin-1")
    ds = load_csv(data, target="classe", filename="prix.csv")
    assert ds.original_columns == ["nom", "prix", "ville"]
    assert pd.api.types.is_float_dtype(ds.raw["prix"])
    assert ds.raw["prix"].iloc[3] == pytest.approx(3.3)
    assert "ville=Besançon" in ds.feature_names and "ville=Orléans" in ds.feature_names
    assert ds.class_names == ["non", "oui"]
    assert any("Windows-1252" in note and "semicolon" in note for note in ds.notes)
    assert any("decimal commas" in note and "'prix'" in note for note in ds.notes)


@pytest.mark.parametrize("sep, word", [("\t", "tab"), ("|", "pipe"), (";", "semicolon"), (",", "comma")])
def test_delimiters_are_detected(sep, word):
    frame, notes = read_csv_bytes(table(sep=sep).encode())
    assert list(frame.columns) == ["age", "income", "city", "label"]
    assert pd.api.types.is_numeric_dtype(frame["income"])
    assert word in notes[0]


def test_quoted_fields_with_separators_and_line_breaks():
    lines = ["name,comment,score,label"]
    for i in range(30):
        lines.append(f'item{i % 5},"says ""hi"", then\nleaves",{i * 1.5},{i % 2}')
    frame, _ = read_csv_bytes("\n".join(lines).encode())
    assert frame.shape == (30, 4)
    assert frame["comment"].iloc[0] == 'says "hi", then\nleaves'
    assert frame["score"].iloc[2] == 3.0


def test_file_without_header_row_gets_a_hint():
    text = "\n".join(f"{i % 4},{i % 3},{i % 2}" for i in range(30))
    with pytest.raises(DataError) as err:  # first row 0,0,0: the "names" repeat
        load_csv(text.encode(), target="label")
    assert "duplicate" in str(err.value) and "add a header row" in str(err.value)
    with pytest.raises(DataError) as err:  # first row 5,7,1: the target name is not found
        load_csv(("5,7,1\n" + text).encode(), target="label")
    assert "'label'" in str(err.value) and "add a header row" in str(err.value)


def test_html_in_column_names_is_kept_verbatim():
    name = "<script>alert(1)</script>"
    text = table().replace("city", name, 1)
    ds = load_csv(text.encode(), target="label")
    assert name in ds.original_columns
    assert f"{name}=Oslo" in ds.feature_names
    assert name in ds.raw.columns


def test_blank_rows_question_marks_and_true_false():
    lines = ["flag,v,label"] + [f"{'true' if i % 3 else 'FALSE'},{'?' if i == 4 else i},{i % 2}" for i in range(30)]
    lines.insert(10, ",,")
    lines.insert(3, "")
    frame, notes = read_csv_bytes(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert len(frame) == 30
    assert pd.api.types.is_bool_dtype(frame["flag"]) and frame["flag"].tolist()[:3] == [False, True, True]
    assert pd.isna(frame["v"].iloc[4]) and pd.api.types.is_numeric_dtype(frame["v"])
    assert any("Skipped 1 empty row" in note for note in notes)
