"""A small OSDI (Action Network API v2) client: HAL pages, at most ``per_second`` requests a
second, retries on the errors a busy server gives (429, 5xx, a dropped connection).

Action Network publishes a limit of 4 requests a second per key; the limiter spaces requests
``1 / per_second`` apart (a monotonic clock, one client per sync job). Links are followed only
on the server given by staff (a ``next`` link elsewhere is refused), never redirected."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

USER_AGENT = "Organizer-Sync/1"
TIMEOUT_SECONDS = 30
MAX_BYTES = 20 * 1024 * 1024  # one page; Action Network's are ~25 records
RETRY_STATUSES = {429, 500, 502, 503, 504}


class SyncError(Exception):
    """The server refused or kept failing: the job stops here (its cursor is kept).
    ``status`` is the HTTP status when the server answered with one."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class OsdiClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        per_second: float = 4.0,
        retries: int = 3,
        backoff: float = 2.0,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.api_key = api_key
        self.interval = 1.0 / per_second if per_second else 0.0
        self.retries = retries
        self.backoff = backoff
        self.requests = 0
        self._next_at = 0.0
        self._lock = threading.Lock()
        self._opener = urllib.request.build_opener(_NoRedirects)
        self._origin = urlsplit(self.base_url)[:2]

    def url(self, resource: str, *, since=None) -> str:
        """The first page of ``resource`` (``people``, ``tags``, …), changed since ``since``."""
        return self.with_since(self.base_url + resource.lstrip("/"), since)

    @staticmethod
    def with_since(url: str, since) -> str:
        """``url`` asking only for records modified after ``since`` (OSDI's ``filter``)."""
        if since is None:
            return url
        stamp = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        sep = "&" if "?" in url else "?"
        return url + sep + "filter=" + quote(f"modified_date gt '{stamp}'")

    def _wait_turn(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next_at - now
            self._next_at = max(now, self._next_at) + self.interval
        if wait > 0:
            time.sleep(wait)

    def get(self, url: str) -> dict:
        if urlsplit(url)[:2] != self._origin:
            raise SyncError(f"A link points off the server: {url[:200]}")
        for attempt in range(self.retries + 1):
            self._wait_turn()
            self.requests += 1
            request = urllib.request.Request(  # noqa: S310 (https/http on the staff's server)
                url,
                headers={
                    "OSDI-API-Token": self.api_key,
                    "Accept": "application/hal+json, application/json",
                    "User-Agent": USER_AGENT,
                },
            )
            try:
                with self._opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                    raw = response.read(MAX_BYTES + 1)
                if len(raw) > MAX_BYTES:
                    raise SyncError(f"A page over {MAX_BYTES} bytes: {url[:200]}")
                return json.loads(raw or b"{}")
            except urllib.error.HTTPError as exc:
                if exc.code in (401, 403):
                    raise SyncError(
                        f"The server refused the API key (HTTP {exc.code}).", status=exc.code
                    ) from None
                if exc.code not in RETRY_STATUSES or attempt == self.retries:
                    raise SyncError(f"HTTP {exc.code} from {url[:200]}", status=exc.code) from None
                retry_after = exc.headers.get("Retry-After", "")
                delay = float(retry_after) if retry_after.isdigit() else self.backoff * 2**attempt
            except (TimeoutError, urllib.error.URLError, OSError) as exc:
                if attempt == self.retries:
                    raise SyncError(f"Could not reach {url[:200]}: {exc}") from None
                delay = self.backoff * 2**attempt
            except ValueError:
                raise SyncError(f"Not JSON: {url[:200]}") from None
            time.sleep(min(delay, 60))
        raise SyncError("unreachable")  # pragma: no cover

    def pages(self, url: str, key: str):
        """Every page from ``url`` on: (records under ``_embedded[key]``, next url or None)."""
        while url:
            page = self.get(url)
            yield embedded(page, key), next_link(page)
            url = next_link(page)


def embedded(page: dict, key: str) -> list[dict]:
    records = (page.get("_embedded") or {}).get(key) or []
    return [r for r in records if isinstance(r, dict)]


def link(record: dict, name: str) -> str | None:
    value = (record.get("_links") or {}).get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    href = value.get("href") if isinstance(value, dict) else None
    return href if isinstance(href, str) and href else None


def next_link(page: dict) -> str | None:
    return link(page, "next")


def remote_id(record: dict) -> str | None:
    """The record's id on the server: the last segment of its self link (Action Network's is
    the UUID also in ``identifiers``), else its first identifier."""
    href = link(record, "self")
    if href:
        return href.rstrip("/").rsplit("/", 1)[-1][:120] or None
    identifiers = record.get("identifiers") or []
    return str(identifiers[0]).split(":", 1)[-1][:120] if identifiers else None


def id_from_link(href: str | None) -> str | None:
    return href.rstrip("/").rsplit("/", 1)[-1][:120] if href else None
