"""What an exported model reads as a gap in a text column."""

# The cells core.data.read_csv_bytes reads as missing: pandas' default NA markers and '?'.
# Exports treat a text value that is one of these (after stripping spaces) as a gap, as a CSV upload would.
MISSING_MARKERS = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                   "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "?")
