"""The pages the reminder e-mail's "Confirm" and "I can't come" links open (issue 20).

Public: the signed token in the URL is the credential (clinic.services.reminder_links).
GET shows the visit and one button, POST acts (an e-mail scanner that opens every link
changes nothing); the form carries Django's CSRF token like every form. The page shows the
visit's date, time, practitioner and location, never the patient's name or anything else;
a link that does not check out shows no visit at all.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clinic import services
from clinic.permissions import allow_public

# Pages for links that cannot act (nothing changed): gone (410, as for a bad e-mail
# confirmation link), or refused by a rule (409).
_STATUS = {"invalid": 410, "expired": 410, "moved": 410, "closed": 410, "too_late": 409}


def _page(request: HttpRequest, action: str, link: services.LinkState) -> HttpResponse:
    appointment = link.appointment if link.state != "invalid" else None
    return render(
        request,
        "clinic/reminder_link.html",
        {
            "action": action,
            "state": link.state,
            "problem": link.problem,
            "visit": appointment,
            "phone": services.clinic_phone(appointment) if appointment else None,
        },
        status=_STATUS.get(link.state, 200),
    )


@allow_public
@never_cache
@require_http_methods(["GET", "POST"])
def visit_confirm(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    return _link(request, "confirm", pk, token)


@allow_public
@never_cache
@require_http_methods(["GET", "POST"])
def visit_cancel(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    return _link(request, "cancel", pk, token)


def _link(request: HttpRequest, action: str, pk: int, token: str) -> HttpResponse:
    if request.method == "POST":
        link = services.reminder_link_use(pk=pk, action=action, token=token)
    else:
        link = services.reminder_link_check(pk=pk, action=action, token=token)
    return _page(request, action, link)
