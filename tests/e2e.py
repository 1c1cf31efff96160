"""Helpers for the end-to-end journeys: screenshots kept under var/e2e/ and an accessibility
check with axe-core (vendored from npm under static/vendor/axe-core; loaded from our own
origin, so the Content-Security-Policy allows it)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

E2E_SHOTS = Path(settings.BASE_DIR) / "var" / "e2e"
AXE_URL = "/static/vendor/axe-core/axe.min.js"


def step_shot(page, journey: str, step: str) -> Path:
    """Save a full-page screenshot of one step: var/e2e/<journey>/<step>.png."""
    folder = E2E_SHOTS / journey
    folder.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    path = folder / f"{step}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0, f"no screenshot written at {path}"
    return path


def accessibility_violations(page, *, impacts=("critical", "serious")) -> list[str]:
    """axe-core's violations of the given impact on the current page, one line each."""
    # A modal still fading in would be measured against its half-faded backdrop.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
        page.wait_for_function("typeof window.axe === 'object'")
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
                why: v.nodes.slice(0, 3).map(n => (n.any[0] || n.all[0] || {}).message || "")}));
        }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])} on {page.url}"
        f" [{' | '.join(v['why'])}]"
        for v in results
        if v["impact"] in impacts
    ]


def assert_accessible(page) -> None:
    """No critical or serious accessibility violation: keyboard access, labels and names
    (critical in axe) and colour contrast (serious in axe)."""
    problems = accessibility_violations(page)
    assert not problems, "\n".join(problems)
