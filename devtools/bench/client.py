"""The benchmark's HTTP client: a separate process that talks to the app over loopback.

    python devtools/bench/client.py < job.json > result.json

Run by `manage.py bench` as a script (standard library only, it imports neither Django nor
the site), so what it measures is the server as a browser meets it: the orchestrator hands it
a job as JSON on stdin and reads the results as JSON on stdout.

It signs in like a person does: the sign-in form, then for staff the two-factor form with
the code an authenticator app would show now (TOTP, RFC 6238, computed from the device's
key). The site runs as in production behind a TLS-terminating proxy, so every request says
`X-Forwarded-Proto: https`, and the session and CSRF cookies (marked Secure) are kept here
by hand: a standard cookie jar would not send Secure cookies over plain HTTP.

Jobs:
  {"job": "pages", ...}    warm up, then time each page N times, round-robin
  {"job": "booking", ...}  concurrent clients posting the booking form
  {"job": "mixed", ...}    simulated front desk, physiotherapists and patients at once
"""

from __future__ import annotations

import hashlib
import hmac
import html
import http.client
import json
import random
import re
import struct
import sys
import threading
import time
from html.parser import HTMLParser
from urllib.parse import urlencode

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Parts a page loads as soon as it shows (htmx, hx-trigger="load"), by the id of the element
# that asks: a browser fetches each right after the page, so the mixed load does too.
ON_LOAD = re.compile(r"<[a-z]+\b[^>]*\bhx-trigger=\"load\b[^>]*>")
ATTRIBUTE = re.compile(r'\b(id|hx-get)="([^"]*)"')
PARTS = {
    "session-entries": "entries",
    "session-sites": "sites",
    "session-retests": "retests",
    "readiness": "readiness",
    "sign-panel-live": "sign panel",
    "chart-scores": "scores",
}
SERVER_TIMING = re.compile(r"\bapp;dur=([0-9.]+)")
# Cookies a browser would hand back on the next page it loads; this client loads none after
# a booking, so a flash message kept in a cookie would only grow with every request.
IGNORED_COOKIES = {"messages"}


class BenchError(Exception):
    pass


def totp(key_hex: str, *, step: int = 30, t0: int = 0, digits: int = 6) -> str:
    """The code an authenticator app shows now for this key (TOTP with HMAC-SHA1)."""
    counter = int((time.time() - t0) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, wall: float):
        self.status = status
        self.headers = headers
        self.body = body
        self.wall_ms = wall * 1000
        match = SERVER_TIMING.search(headers.get("Server-Timing", ""))
        self.server_ms = float(match.group(1)) if match else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def csrf_token(self) -> str:
        match = CSRF_FIELD.search(self.text)
        if not match:
            raise BenchError(f"no CSRF token in the page (status {self.status})")
        return match.group(1)


class Browser:
    """One signed-in person: their own cookies, one request at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.origin = f"https://{host}:{port}"
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict | None = None, extra: dict | None = None
    ) -> Response:
        headers = {"X-Forwarded-Proto": "https", "Accept": "text/html", **(extra or {})}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            content = raw.read()
        finally:
            connection.close()
        wall = time.perf_counter() - started
        self._keep_cookies(raw.headers.get_all("Set-Cookie") or [])
        return Response(raw.status, raw.headers, content, wall)

    def _keep_cookies(self, lines: list[str]) -> None:
        for line in lines:
            pair, _, attributes = line.partition(";")
            name, _, value = pair.strip().partition("=")
            if name in IGNORED_COOKIES:
                continue
            attributes = attributes.lower()
            if "max-age=0" in attributes or "1970" in attributes:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def sign_in(self, account: dict) -> None:
        """The sign-in form, then (staff) the two-factor form; the session cookie stays."""
        page = self.request("GET", "/accounts/login/")
        response = self.request(
            "POST",
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": page.csrf_token(),
                "username": account["username"],
                "password": account["password"],
            },
        )
        if response.status != 302:
            raise BenchError(f"sign-in of {account['username']} refused ({response.status})")
        if account.get("totp_key"):
            self._second_step(account)
        check = self.request("GET", account["check"])
        if check.status != 200:
            raise BenchError(f"{account['username']} cannot open {account['check']}")

    def _second_step(self, account: dict) -> None:
        """The authenticator's code. A code is good once: if this account signed in within
        the same 30-second step (an earlier job), wait for the next code and try again."""
        for _attempt in range(2):
            page = self.request("GET", "/accounts/2fa/")
            response = self.request(
                "POST",
                "/accounts/2fa/",
                {"csrfmiddlewaretoken": page.csrf_token(), "token": totp(account["totp_key"])},
            )
            if response.status == 302:
                return
            time.sleep(30 - time.time() % 30 + 0.5)
        raise BenchError(f"two-factor step of {account['username']} refused")


# --- Jobs ------------------------------------------------------------------------------------


def pages_job(job: dict) -> dict:
    """Sign each account in, warm every page up, then request the pages in turn (round-robin,
    so a burst of load elsewhere on the machine falls on all pages alike)."""
    browsers = {}
    for name, account in job["accounts"].items():
        browsers[name] = Browser(job["host"], job["port"])
        browsers[name].sign_in(account)
    pages = job["pages"]
    results = {page["name"]: {"server_ms": [], "wall_ms": [], "bytes": 0} for page in pages}

    def fetch(page: dict) -> Response:
        response = browsers[page["account"]].request("GET", page["path"])
        if response.status != 200 or response.server_ms is None:
            raise BenchError(f"{page['path']} answered {response.status}")
        return response

    for _ in range(job["warmup"]):
        for page in pages:
            fetch(page)
    for _ in range(job["requests"]):
        for page in pages:
            response = fetch(page)
            row = results[page["name"]]
            row["server_ms"].append(response.server_ms)
            row["wall_ms"].append(response.wall_ms)
            row["bytes"] = len(response.body)
    return {"pages": results}


REFUSALS = (
    ("is already booked", "practitioner busy"),
    ("was just taken", "practitioner busy (lost the race)"),
    ("already has an appointment", "patient busy"),
    ("was just booked at an overlapping", "patient busy (lost the race)"),
    ("IMS sessions need at least", "IMS spacing"),
)


def _refusal(text: str) -> str:
    for fragment, label in REFUSALS:
        if fragment in text:
            return label
    return "other refusal"


def booking_job(job: dict) -> dict:
    """Each client signs in (its own front-desk account), opens the booking form once for
    its CSRF token, waits for the others, then posts its attempts one after another."""
    clients = []
    for account in job["accounts"]:
        browser = Browser(job["host"], job["port"])
        browser.sign_in(account)
        browser.token = browser.request("GET", "/appointments/new/").csrf_token()
        clients.append(browser)
    start = threading.Barrier(len(clients) + 1)
    outcomes: list[list[dict]] = [[] for _ in clients]
    errors: list[str] = []

    def run(index: int) -> None:
        browser = clients[index]
        start.wait()
        for attempt in job["attempts"][index]:
            form = {"csrfmiddlewaretoken": browser.token, **attempt}
            try:
                response = browser.request("POST", "/appointments/new/", form)
            except OSError as error:  # a refused or reset connection is a result too
                errors.append(f"{type(error).__name__}: {error}")
                continue
            if response.status == 302:
                outcome = "booked"
            elif response.status == 200:
                outcome = _refusal(response.text)
            else:
                outcome = f"HTTP {response.status}"
            outcomes[index].append(
                {"outcome": outcome, "server_ms": response.server_ms, "wall_ms": response.wall_ms}
            )

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"elapsed_s": elapsed, "outcomes": outcomes, "errors": errors}


# --- The mixed load ------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """What the browser's FormData holds for the form `form_id` when its controls sit
    outside it and name it in their `form` attribute (the session form's layout): text and
    number values, checked boxes and radios, selected options, textareas."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _ours(self, attrs: dict) -> bool:
        return attrs.get("form") == self.form_id and bool(attrs.get("name"))

    def handle_starttag(self, tag: str, attr_list: list) -> None:
        attrs = dict(attr_list)
        if tag == "input" and self._ours(attrs):
            kind = (attrs.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value") or "on"))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self.fields.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select" and self._ours(attrs):
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea" and self._ours(attrs):
            self._textarea, self._text = attrs["name"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
SAVE_RESULT = re.compile(r'data-save-result="([a-z]+)"')


class Tally:
    """Every timed request of the mixed run, per page; refusals and errors apart."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: dict[str, dict[str, list]] = {}
        self.refusals: dict[str, int] = {}
        self.errors: list[str] = []
        self.booked = 0

    def timed(self, page: str, response: Response) -> None:
        with self.lock:
            row = self.pages.setdefault(page, {"wall_ms": [], "server_ms": []})
            row["wall_ms"].append(response.wall_ms)
            if response.server_ms is not None:
                row["server_ms"].append(response.server_ms)

    def refused(self, label: str) -> None:
        with self.lock:
            self.refusals[label] = self.refusals.get(label, 0) + 1

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Simulated:
    """One simulated person of the mixed run: signs in, then repeats their role's round of
    pages until the deadline, pausing between actions as a person does (think time)."""

    def __init__(self, job: dict, user: dict, tally: Tally, seed: int) -> None:
        self.user, self.tally = user, tally
        self.browser = Browser(job["host"], job["port"])
        self.rng = random.Random(seed)  # noqa: S311 (a reproducible mix, not a secret)
        self.think = job["think_s"]
        self.deadline = 0.0

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def pause(self) -> None:
        if self.think:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.think)

    def call(self, page: str, method: str, path: str, *, ok=(200,), **kwargs) -> Response | None:
        """One timed request; an unexpected answer or a broken connection is an error."""
        try:
            response = self.browser.request(method, path, **kwargs)
        except OSError as error:
            self.tally.error(f"{page}: {type(error).__name__}: {error}")
            return None
        if response.status not in ok:
            self.tally.error(f"{page}: {method} {path} answered {response.status}")
            return None
        self.tally.timed(page, response)
        return response

    def run(self) -> None:
        getattr(self, self.user["role"])()

    def desk(self) -> None:
        """Search for a patient, open the booking form, book a free slot (while the slots
        planned for this person last; searching only after that)."""
        bookings = list(self.user["bookings"])
        while True:
            query = self.rng.choice(self.user["searches"])
            self.call("patient search", "GET", f"{self.user['search']}?{urlencode({'q': query})}")
            self.pause()
            page = self.call("booking form", "GET", self.user["book"]) if bookings else None
            self.pause()
            if page is not None:
                form = {"csrfmiddlewaretoken": page.csrf_token(), **bookings.pop(0)}
                response = self.call(
                    "booking (post)", "POST", self.user["book"], ok=(200, 302), form=form
                )
                if response is not None and response.status == 302:
                    with self.tally.lock:
                        self.tally.booked += 1
                elif response is not None:
                    self.tally.refused(_refusal(response.text))
                self.pause()
            if not self.running():
                return

    def parts(self, name: str, page: Response | None) -> dict[str, str]:
        """Fetch what `page` loads as soon as it shows (hx-trigger="load"), as htmx does,
        each timed as "<page> <part>" (e.g. "session form sign panel"); their paths by
        part."""
        found = {}
        for tag in ON_LOAD.findall(page.text) if page is not None else ():
            attributes = dict(ATTRIBUTE.findall(tag))
            part = PARTS.get(attributes.get("id", ""), attributes.get("id", "part"))
            if "hx-get" in attributes:
                found[part] = html.unescape(attributes["hx-get"])
        for part, path in found.items():
            self.call(f"{name} {part}", "GET", path, extra={"HX-Request": "true"})
        return found

    def physio(self) -> None:
        """Open the patient's chart, then the draft session note, and type into it: every
        pause the page autosaves the whole form (as static/js/autosave.js does). Each page
        is followed by the parts it loads as soon as it shows, and a save that changed the
        note by the sign panel's refresh, as in a browser."""
        typed = 0
        while True:
            self.parts("patient chart", self.call("patient chart", "GET", self.user["chart"]))
            self.pause()
            page = self.call("session form", "GET", self.user["session"])
            parts = self.parts("session form", page)
            self.pause()
            if page is not None:
                parser = FormFields("session-form")
                parser.feed(page.text)
                fields = [(k, v) for k, v in parser.fields if k != "plan"]
                token = CSRF_HEADER.search(page.text)
                headers = {"HX-Request": "true", "X-CSRFToken": token.group(1) if token else ""}
                for _ in range(self.user["saves_per_visit"]):
                    typed += 1
                    plan = f"{self.user['note']} {typed}: review in one week, reassess ROM."
                    saved = self.call(
                        "autosave", "POST", self.user["save"], form=[*fields, ("plan", plan)],
                        extra=headers,
                    )  # fmt: skip
                    if saved is not None and 'data-save-result="saved"' not in saved.text:
                        # The form as the page holds it must save whole: anything else means
                        # this client (or the page) lost a field.
                        found = SAVE_RESULT.search(saved.text)
                        self.tally.error(f"autosave: {found.group(1) if found else 'no status'}")
                    changed = saved is not None and "parts-changed" in saved.headers.get(
                        "HX-Trigger", ""
                    )
                    if changed and "sign panel" in parts:
                        # The page refreshes its sign panel (hx-trigger="parts-changed").
                        self.call(
                            "session form sign panel", "GET", parts["sign panel"],
                            extra={"HX-Request": "true"},
                        )  # fmt: skip
                    self.pause()
            if not self.running():
                return

    def patient(self) -> None:
        """Open the documents page now and then."""
        while True:
            self.call("portal documents", "GET", self.user["documents"])
            self.pause()
            if not self.running():
                return


def mixed_job(job: dict) -> dict:
    """Every simulated person signs in at once (their own thread and session), waits for
    the others, then works in rounds (a desk person's search, form and booking; a physio's
    chart, note and autosaves; a patient's documents) until `seconds` have passed: a round
    under way then is finished and counts (so every role's every page is in the figures,
    however short the run), and the elapsed time runs until the last person is done."""
    tally = Tally()
    people = [Simulated(job, user, tally, job["seed"] + n) for n, user in enumerate(job["users"])]
    began: list[float] = []
    # The barrier's action runs once, when everyone has signed in: the clock starts there.
    ready = threading.Barrier(len(people) + 1, action=lambda: began.append(time.monotonic()))
    failed: list[str] = []

    def work(person: Simulated) -> None:
        try:
            person.browser.sign_in(person.user["account"])
        except (BenchError, OSError) as error:
            failed.append(f"{person.user['account']['username']}: {error}")
            ready.abort()
            return
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        person.deadline = began[0] + job["seconds"]
        try:
            person.run()
        except Exception as error:  # noqa: BLE001 (reported as an error of the run)
            tally.error(f"{person.user['role']} stopped: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=work, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise BenchError(f"sign-in for the mixed run failed: {'; '.join(failed)}") from None
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began[0]
    return {
        "elapsed_s": elapsed,
        "pages": tally.pages,
        "refusals": tally.refusals,
        "errors": tally.errors,
        "booked": tally.booked,
    }


JOBS = {"pages": pages_job, "booking": booking_job, "mixed": mixed_job}


def main() -> int:
    job = json.load(sys.stdin)
    try:
        result = JOBS[job["job"]](job)
    except BenchError as error:
        result = {"error": str(error)}
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
