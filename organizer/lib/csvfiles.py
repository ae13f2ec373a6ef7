"""CSV files, read and written the same way everywhere: people and doors imports, exports and the
rejected-row files.

Reading (:class:`CsvReader`) streams a file from disk: the encoding is decided once over the
whole file (UTF-8 with or without BOM, UTF-16 with a BOM, else Windows-1252, else Latin-1), the
delimiter from the first line; rows come with the line number they start on. Anything that would
silently damage the data is refused with a message for a person to read, naming the line:
binary files, UTF-16 without a byte-order mark, NUL characters, more than ``MAX_COLUMNS``
columns, a cell over ``MAX_FIELD_CHARS`` characters, and a quoted field that is never closed or
that swallows whole rows (an unclosed quote would otherwise merge the rows into one person).

Writing: every cell of every CSV we hand out goes through :func:`escape_cell`.

Uploads are streamed to ``settings.IMPORT_UPLOAD_DIR`` (:func:`save_upload`), never held in
memory, the cache or the database; ``settings.UPLOAD_MAX_BYTES`` bounds every one of them.
"""

from __future__ import annotations

import codecs
import csv
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_COLUMNS = 500  # columns in a file (a 20,000-column file took 28 s to preview)
MAX_FIELD_CHARS = 32_768  # characters in one cell
MAX_QUOTED_LINES = 50  # lines one quoted cell may run across
HEAD_BYTES = 65_536  # what the binary and delimiter checks look at
_CHUNK = 1 << 20


class CsvFileError(Exception):
    """The file cannot be read; the message says why, for a person to read."""


@dataclass
class Rejection:
    """A row that was not imported: its line in the file, why, and its cells as read."""

    line: int
    reason: str
    cells: list[str]


# --- Writing ------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_SHAPE = re.compile(r"[+-]?[\d\s().-]*\d[\d\s().-]*")


def escape_cell(value: object) -> str:
    """The cell as text a spreadsheet shows and never runs: a cell starting with ``=``, ``+``,
    ``-``, ``@``, TAB or CR gets a leading ``'`` — except a phone or number shape (an optional
    ``+`` or ``-``, then only digits, spaces, ``( ) . -``), written as is so that
    ``+44 20 7946 0958`` shows without a stray apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER_SHAPE.fullmatch(text):
        return "'" + text
    return text


class Echo:
    """A file-like object whose ``write`` returns what it is given: ``csv.writer(Echo())``
    turns a row into its CSV line, for streaming responses."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]], *, bom: bool = False) -> Iterator[str]:
    """``rows`` as CSV lines, every cell escaped (``bom`` first: Excel then reads UTF-8)."""
    writer = csv.writer(Echo())
    if bom:
        yield "\ufeff"
    for row in rows:
        yield writer.writerow([escape_cell(cell) for cell in row])


def write_csv(out: IO[str], rows: Iterable[Iterable[object]]) -> None:
    """Write ``rows`` to an open text file, every cell escaped."""
    out.writelines(csv_lines(rows))


# --- Size and uploads ---------------------------------------------------------------------------


def megabytes(size: int) -> str:
    return _("%(size)s MB") % {"size": number_format(size / (1024 * 1024), decimal_pos=1)}


def check_size(size: int) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise CsvFileError(
            _(
                "The file is %(size)s; the largest file you can upload is %(limit)s. Split it "
                "into smaller files and import each."
            )
            % {"size": megabytes(size), "limit": megabytes(limit)}
        )


def upload_path(kind: str) -> Path:
    """A new file name under ``IMPORT_UPLOAD_DIR/kind/`` (the folder is created)."""
    folder = Path(settings.IMPORT_UPLOAD_DIR) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}.csv"


def save_upload(source: IO[bytes] | bytes | Path, *, kind: str) -> Path:
    """Copy an upload (a Django ``UploadedFile``, an open binary file, bytes or a path) to disk
    in chunks, refusing it past ``UPLOAD_MAX_BYTES``. Returns where it was saved."""
    if isinstance(source, bytes):
        check_size(len(source))
        path = upload_path(kind)
        path.write_bytes(source)
        return path
    if isinstance(source, Path):
        check_size(source.stat().st_size)
        path = upload_path(kind)
        shutil.copyfile(source, path)
        return path
    size = getattr(source, "size", None)
    if size is not None:
        check_size(size)
    path = upload_path(kind)
    written = 0
    chunks = (
        source.chunks(_CHUNK)
        if hasattr(source, "chunks")
        else iter(lambda: source.read(_CHUNK), b"")
    )
    try:
        with path.open("wb") as out:
            for chunk in chunks:
                written += len(chunk)
                check_size(written)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def remove_upload(path: str | Path | None) -> None:
    if path:
        Path(path).unlink(missing_ok=True)


# --- Reading: encoding and dialect --------------------------------------------------------------

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")


def _utf16_without_bom(head: bytes) -> bool:
    """Text saved as UTF-16 without its byte-order mark: every other byte is NUL."""
    sample = head[:4096]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    return (
        max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.6
        and min(even.count(0) / len(even), odd.count(0) / len(odd)) < 0.1
    )


def _decodes(path: Path, encoding: str, skip: int = 0) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as fh:
        fh.seek(skip)
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path) -> str:
    """The file's encoding, or :class:`CsvFileError` for a file that is not CSV text."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        raise CsvFileError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        raise CsvFileError(
            _(
                "This is an Excel workbook or another zipped file, not a CSV file. In your "
                "spreadsheet, use “Save as” or “Download” → CSV, and import that file."
            )
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if _utf16_without_bom(head):
        raise CsvFileError(
            _(
                "This file is UTF-16 text without a byte-order mark (some spreadsheets save "
                "“Unicode text” like that), which cannot be read reliably. In your spreadsheet, "
                "use “Save as” → “CSV UTF-8 (comma delimited)”, and import that file."
            )
        )
    text = head.decode("latin-1")
    nuls = text.count("\x00")
    if nuls > len(text) // 100 or len(_CONTROL.findall(text)) > len(text) // 100:
        raise CsvFileError(
            _(
                "This file is not a CSV text file (it contains binary data). Export or save the "
                "list as CSV (UTF-8) and try again."
            )
        )
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig" if _decodes(path, "utf-8", skip=3) else "cp1252"
    if _decodes(path, "utf-8"):
        return "utf-8"
    return "cp1252" if _decodes(path, "cp1252") else "latin-1"


def detect_delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


# --- Reading: rows ------------------------------------------------------------------------------


class CsvReader:
    """The rows of a CSV file on disk, streamed: ``for line, cells in reader``. Blank rows are
    skipped; ``line`` is the line the row starts on (the header is line 1 in most files).
    Raises :class:`CsvFileError` with the line number for anything that cannot be read
    faithfully. Read it as many times as needed; each pass reads the file again."""

    def __init__(self, path: str | Path, *, encoding: str | None = None):
        self.path = Path(path)
        self.encoding = encoding or detect_encoding(self.path)
        with self._open() as fh:
            self.delimiter = detect_delimiter(fh.readline())
        self.width = 0  # the header's columns, once read

    def _open(self) -> IO[str]:
        return self.path.open(encoding=self.encoding, newline="")

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        csv.field_size_limit(MAX_FIELD_CHARS)
        state = {"line": 0, "eof": False}
        delimiter = self.delimiter
        with self._open() as fh:
            reader = csv.reader(_lines(fh, state), delimiter=delimiter)
            start = 1
            width = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise _csv_error(start, state["line"], exc) from None
                except UnicodeDecodeError:  # the encoding was checked over the whole file
                    raise CsvFileError(
                        _("Line %(line)s could not be decoded as %(encoding)s.")
                        % {"line": state["line"] + 1, "encoding": self.encoding}
                    ) from None
                end = state["line"]
                if state["eof"]:  # the file ended inside quotes
                    raise CsvFileError(
                        _(
                            "Line %(line)s: a quoted cell starts here and is never closed (a "
                            'missing closing quote mark "). Fix the quote and import again.'
                        )
                        % {"line": start}
                    )
                if end > start:
                    _check_multiline(start, end, cells, width, delimiter)
                line, start = start, end + 1
                if not "".join(cells).strip():  # a blank row, or only delimiters
                    continue
                if not width:
                    width = self.width = len(cells)
                    if width > MAX_COLUMNS:
                        raise CsvFileError(
                            _(
                                "The file has %(count)s columns; at most %(max)s can be read. "
                                "Delete the columns you do not need and import it again."
                            )
                            % {
                                "count": number_format(width, force_grouping=True),
                                "max": MAX_COLUMNS,
                            }
                        )
                elif len(cells) > MAX_COLUMNS:
                    cells = cells[:MAX_COLUMNS]
                yield line, cells

    def head(self, rows: int) -> list[tuple[int, list[str]]]:
        """The first ``rows`` rows (the header included), reading no further."""
        found = []
        for record in self:
            found.append(record)
            if len(found) >= rows:
                break
        return found


def _lines(fh: IO[str], state: dict) -> Iterator[str]:
    for number, line in enumerate(fh, start=1):
        if "\x00" in line:
            raise CsvFileError(
                _(
                    "Line %(line)s contains a NUL character (a zero byte), which a CSV file "
                    "cannot hold: the file is damaged or not plain text. Export it again as CSV "
                    "(UTF-8)."
                )
                % {"line": number}
            )
        state["line"] = number
        yield line
    state["eof"] = True


def _check_multiline(start: int, end: int, cells: list[str], width: int, delimiter: str) -> None:
    """A quoted cell may hold line breaks (a note), but not dozens of lines, nor lines that
    look like whole rows of the file: that is a missing closing quote merging rows."""
    minimum = max(2, width - 1)
    for cell in cells:
        if "\n" not in cell and "\r" not in cell:
            continue
        lines = cell.splitlines()
        if len(lines) > MAX_QUOTED_LINES or (
            width >= 3 and any(part.count(delimiter) >= minimum for part in lines[1:])
        ):
            raise CsvFileError(
                _(
                    "Line %(line)s: a quoted cell runs across lines %(line)s–%(end)s and holds "
                    'what look like whole rows — probably a missing closing quote mark ("). '
                    "Fix the quote and import again."
                )
                % {"line": start, "end": end}
            )


def _csv_error(start: int, line: int, exc: csv.Error) -> CsvFileError:
    if "field larger than field limit" in str(exc):
        return CsvFileError(
            _(
                "Line %(line)s: a cell is longer than %(max)s characters — often a missing "
                'closing quote mark ("). Fix it and import again.'
            )
            % {"line": start, "max": number_format(MAX_FIELD_CHARS, force_grouping=True)}
        )
    return CsvFileError(
        _("The file could not be read as CSV near line %(line)s: %(error)s.")
        % {"line": max(line, start), "error": exc}
    )


@dataclass
class CsvTable:
    """A small file read whole: its encoding, first row and the rows after it (with lines)."""

    encoding: str
    header: list[str]
    records: list[tuple[int, list[str]]]


def read_table(content: bytes, *, kind: str = "tables") -> CsvTable:
    """A small upload (a roster, a neighborhood list) read whole through the same reader as
    every import, so it gets the same refusals; :class:`CsvFileError` when it cannot be read.
    Callers bound ``content`` and the row count themselves."""
    path = None
    try:
        path = save_upload(content, kind=kind)
        reader = CsvReader(path)
        records = list(reader)
    finally:
        remove_upload(path)
    if not records:
        raise CsvFileError(_("The file is empty."))
    (_line, header), *rows = records
    return CsvTable(reader.encoding, header, rows)
