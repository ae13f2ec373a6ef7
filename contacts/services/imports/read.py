"""Reading a people file from disk: the header checks that are particular to people files, on
top of the project's one CSV reader (``organizer.lib.csvfiles``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from contacts.services.imports.columns import IGNORE, detect_mapping
from organizer.lib.csvfiles import CsvFileError, CsvReader

_LOOKS_LIKE_DATA = re.compile(r"@|\d[\d\s().-]{6,}\d")
SAMPLE_ROWS = 5


@dataclass
class PeopleFile:
    reader: CsvReader
    header: list[str]
    sample: list[tuple[int, list[str]]]  # the first rows after the header

    @property
    def encoding(self) -> str:
        return self.reader.encoding

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every row after the header, streamed from disk."""
        records = iter(self.reader)
        next(records, None)
        yield from records


def checked_header(cells: list[str]) -> list[str]:
    """A file's first row as column names (blank ones numbered), or :class:`CsvFileError` when
    it looks like data rather than a header line. Every people-like file goes through it."""
    header = [h.strip() or f"Column {i}" for i, h in enumerate(cells, start=1)]
    if any(_LOOKS_LIKE_DATA.search(h) for h in header):
        raise CsvFileError(
            _(
                "The first line should hold column names (like First name, Last name, Phone, "
                "Email), but it looks like data. Add a header line and try again."
            )
        )
    return header


def open_people_file(path: str | Path, *, encoding: str | None = None) -> PeopleFile:
    """The file's header and first rows (reading no further), or :class:`CsvFileError`."""
    reader = CsvReader(path, encoding=encoding)
    head = reader.head(SAMPLE_ROWS + 1)
    if not head:
        raise CsvFileError(_("The file is empty."))
    (_line, header), *sample = head
    header = checked_header(header)
    if len(header) == 1 and detect_mapping(header)[1] == [IGNORE]:
        raise CsvFileError(
            _(
                "This does not look like a CSV file of people: no column names were found. Export "
                "the list as CSV with a header line (First name, Last name, Phone, Email, …)."
            )
        )
    if not sample:
        raise CsvFileError(_("The file has a header line but no rows of people."))
    return PeopleFile(reader=reader, header=header, sample=sample)


def count_rows(people_file: PeopleFile) -> int:
    """Read the whole file once (streamed): its row count, or the first fault in it (an
    unclosed quote, a NUL character, …) as :class:`CsvFileError` naming the line."""
    return sum(1 for _record in people_file.rows())
