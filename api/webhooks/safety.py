"""Which hook URLs we POST to. A hook URL is typed by staff, but the server is the one that
connects: without a check, a hook on ``http://10.0.0.5/admin`` or the cloud's metadata address
would make Organizer a proxy into its own network (SSRF). So the host must resolve only to
public addresses, checked when the hook is saved and again before every send (a name can be
re-pointed after it was saved), redirects are never followed, and only https is allowed.
``WEBHOOKS_ALLOW_HTTP`` and ``WEBHOOKS_ALLOW_PRIVATE`` (on with ``DEBUG``) lift the rules for
development and tests.

The weak spot: the address is resolved here and again by the HTTP client a moment later; a DNS
server that answers differently the second time (rebinding) could slip one request through.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


def url_problem(url: str) -> str:
    """Why we refuse to send to ``url`` ("" when we may)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("This is not a web address.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("Enter a web address starting with https://.")
    if parts.scheme == "http" and not settings.WEBHOOKS_ALLOW_HTTP:
        return _("Use an https:// address: deliveries carry people's data.")
    if parts.username or parts.password:
        return _("Leave the user name and password out of the address.")
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return _("This host name does not resolve.")
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return ""
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            return _(
                "This address is on a private network; Organizer only connects to public servers."
            )
    return ""
