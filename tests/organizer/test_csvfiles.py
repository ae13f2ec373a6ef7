"""The project's one CSV reader and writer: faults named with their line, never silently merged
rows; one escaping rule for every CSV we hand out; uploads streamed to disk, bounded."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organizer.lib.csvfiles import (
    MAX_COLUMNS,
    CsvFileError,
    CsvReader,
    csv_lines,
    escape_cell,
    save_upload,
)


@pytest.fixture
def read(tmp_path):
    def read(content: bytes) -> list[tuple[int, list[str]]]:
        path = tmp_path / "file.csv"
        path.write_bytes(content)
        return list(CsvReader(path))

    return read


def test_rows_come_with_the_line_they_start_on(read):
    rows = read(
        b'name,note,phone\r\nAna,"Met at the potluck.\r\nWants to host.",1\r\n\r\nBo,,2\r\n'
    )

    assert rows == [
        (1, ["name", "note", "phone"]),
        (2, ["Ana", "Met at the potluck.\r\nWants to host.", "1"]),
        (5, ["Bo", "", "2"]),
    ]


def test_an_unclosed_quote_that_swallows_rows_is_refused_with_its_line(read):
    content = (
        b"first_name,last_name,phone,email\n"
        b"Ana,Alvarez,212-555-0101,ana@example.org\n"
        b'Bo,"Baker,212-555-0102,bo@example.org\n'
        b"Cy,Cruz,212-555-0103,cy@example.org\n"
        b'Di,Diaz",212-555-0104,di@example.org\n'
    )

    with pytest.raises(CsvFileError, match=r"Line 3: a quoted cell runs across lines 3–5"):
        read(content)


def test_an_unclosed_quote_running_to_the_end_of_the_file_is_refused(read):
    content = b'first_name,phone\nAna,212-555-0101\nBo,"212-555-0102\nCy,212-555-0103\n'

    with pytest.raises(
        CsvFileError, match=r"Line 3: a quoted cell starts here and is never closed"
    ):
        read(content)


def test_a_quoted_cell_running_across_too_many_lines_is_refused(read):
    content = b'name,note\nAna,"' + b"line\n" * 60 + b'"\n'

    with pytest.raises(CsvFileError, match=r"Line 2: a quoted cell runs across lines 2–62"):
        read(content)


def test_a_cell_past_a_sane_length_is_refused_with_its_line(read):
    content = b"name,note\nAna,ok\nBo," + b"x" * 40_000 + b"\n"

    with pytest.raises(CsvFileError, match=r"Line 3: a cell is longer than 32,768 characters"):
        read(content)


def test_utf16_without_a_byte_order_mark_says_what_it_is_and_how_to_save_it(read):
    content = "first_name,phone\nAna,212-555-0101\n".encode("utf-16-le")

    with pytest.raises(CsvFileError, match="UTF-16 text without a byte-order mark") as error:
        read(content)
    assert "CSV UTF-8" in str(error.value)


def test_utf16_with_a_byte_order_mark_is_read(read):
    rows = read("first_name,phone\nZoë,212-555-0101\n".encode("utf-16"))

    assert rows[1] == (2, ["Zoë", "212-555-0101"])


def test_a_nul_character_is_named_with_its_line(read):
    content = b"first_name,phone\n" + b"Ana,212-555-0101\n" * 200 + b"Bo\x00,212-555-0102\n"

    with pytest.raises(CsvFileError, match=r"Line 202 contains a NUL character"):
        read(content)


def test_a_file_with_thousands_of_columns_is_refused_at_once(read):
    header = ",".join(f"c{i}" for i in range(20_000)).encode()
    started = time.monotonic()

    with pytest.raises(CsvFileError, match=rf"20,000 columns; at most {MAX_COLUMNS}"):
        read(header + b"\n" + b"x," * 19_999 + b"x\n")
    assert time.monotonic() - started < 5


def test_windows_1252_is_detected_over_the_whole_file(read, tmp_path):
    content = b"name\n" + b"Ana\n" * 30_000 + "José\n".encode("cp1252")
    path = tmp_path / "late.csv"
    path.write_bytes(content)

    reader = CsvReader(path)

    assert reader.encoding == "cp1252"
    assert list(reader)[-1] == (30_002, ["José"])


# --- Writing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["=1+1", "+A1", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")', "-"]
)
def test_formula_starters_get_an_apostrophe(cell):
    assert escape_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["+44 20 7946 0958", "(212) 555-0100", "-12.5", "+1 (212) 555"])
def test_phone_and_number_shapes_are_written_as_they_are(cell):
    assert escape_cell(cell) == cell


def test_csv_lines_escape_every_cell():
    text = "".join(csv_lines([["a", "=b"], ["+44 20 7946 0958", "@c"]]))

    assert list(csv.reader(io.StringIO(text))) == [["a", "'=b"], ["+44 20 7946 0958", "'@c"]]


# --- Uploads ----------------------------------------------------------------------------------


def test_an_upload_is_streamed_to_the_upload_folder(settings):
    path = save_upload(SimpleUploadedFile("a.csv", b"name\nAna\n"), kind="people")

    assert path.parent == Path(settings.IMPORT_UPLOAD_DIR) / "people"
    assert path.read_bytes() == b"name\nAna\n"


def test_an_upload_past_the_one_size_limit_is_refused_and_not_kept(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    upload = io.BytesIO(b"x" * (2 * 1024 * 1024))  # no size known up front: counted as copied

    with pytest.raises(CsvFileError, match=r"largest file you can upload is 1\.0 MB"):
        save_upload(upload, kind="people")
    assert not list((Path(settings.IMPORT_UPLOAD_DIR) / "people").iterdir())
