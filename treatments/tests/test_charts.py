"""The progress charts' SVG: built with f-strings (issue 18), so what goes in as text must
come out escaped, and numbers as the coordinates they were."""

from __future__ import annotations

import datetime as dt

from treatments import charts


def test_score_labels_are_escaped():
    series = [
        charts.ScoreSeries(
            label='<b>"Neck" & arm</b>',
            points=[(dt.date(2026, 3, 2), 40.0), (dt.date(2026, 3, 9), 20.0)],
            higher_is_worse=True,
        )
    ]
    svg = str(charts.scores_chart(series))
    assert "<b>" not in svg
    assert "&lt;b&gt;&quot;Neck&quot; &amp; arm&lt;/b&gt; (lower is better)" in svg
    assert svg.count("<circle ") == 2


def test_pain_chart_marks_each_score():
    points = [
        charts.PainPoint(dt.date(2026, 3, 2), 8, 5),
        charts.PainPoint(dt.date(2026, 3, 9), None, 2),
        charts.PainPoint(dt.date(2026, 3, 16), None, None),  # no score: not shown
    ]
    svg = str(charts.pain_chart(points))
    assert svg.count('r="4.5"') == 1
    assert svg.count('width="8" height="8"') == 2
    assert "2026-03-02: before 8, after 5; 2026-03-09: before -, after 2</desc>" in svg
    assert f'cy="{charts._y(8, 10):.1f}"' in svg
