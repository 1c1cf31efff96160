"""The access log: every read of clinical content leaves a row."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from clinic.models import AccessLog, Patient


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


def access_log_record(
    *,
    request: HttpRequest,
    patient: Patient | None,
    what: str,
    action: AccessLog.Action = AccessLog.Action.VIEW,
) -> AccessLog:
    """Record that the signed-in user read `what` of `patient`'s records.

    Called by every view that shows or hands out clinical content once it has found the
    records and before it responds, so every read that reached the user has a row.
    """
    return AccessLog.objects.create(
        user=request.user,
        patient=patient,
        action=action,
        what=what[:200],
        path=request.get_full_path()[:500],
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
