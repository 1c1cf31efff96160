"""Where a write came from: the client's address, browser and the path it asked for.

Services take an acting user and an `Origin`, never the HttpRequest: a view builds one with
`Origin.of(request)`; a command, a task or a test passes `Origin.NONE` (or its own)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies.

    Each of the TRUSTED_PROXY_COUNT load balancers appends the address it saw, so the
    client is that many entries from the right; anything further left is client-supplied.
    """
    candidate = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


@dataclass(frozen=True)
class Origin:
    """The client side of one request, cut to what the access log stores."""

    ip: str | None = None
    user_agent: str = ""
    path: str = ""

    NONE: ClassVar[Origin]

    @classmethod
    def of(cls, request: HttpRequest) -> Origin:
        return cls(
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            path=request.get_full_path()[:500],
        )


Origin.NONE = Origin()
