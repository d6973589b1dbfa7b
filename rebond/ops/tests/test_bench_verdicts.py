"""bench/run's verdicts: a target is met only when its figure is and no request failed
(issue 21, item 6): a failed request's timing is of an error page, not of the page."""

from __future__ import annotations

from bench.benchmarks import QUICK, Phase, report

FAST = [0.010] * 100  # seconds: 10 ms, every target's figure met


def single_clinic(errors: list[str]) -> list[Phase]:
    return [
        Phase("answering", 10.0, {"autosave": FAST, "submit": FAST}),
        Phase("browsing", 10.0, {"caseload": FAST, "case page": FAST}),
        Phase("mixed", 10.0, {"caseload": FAST, "case page": FAST}, errors=errors),
    ]


def verdicts(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ") and "met" in line]


def run(errors: list[str], many_errors: list[str]) -> tuple[str, bool]:
    many = Phase("many clinics", 10.0, {"caseload": FAST}, errors=many_errors)
    baseline = Phase("hello", 10.0, {"hello-world": FAST})
    return report(QUICK, True, {"SQLite (WAL)": single_clinic(errors)}, baseline, [], many)


def test_every_target_is_met_when_every_figure_is_and_nothing_failed() -> None:
    text, ok = run([], [])
    assert ok
    assert verdicts(text)
    assert all(line.endswith(" met") and "NOT" not in line for line in verdicts(text))


def test_one_failed_request_makes_every_target_of_its_database_not_met() -> None:
    text, ok = run(["case page: 500"], [])
    assert not ok
    database = [line for line in verdicts(text) if line.startswith("- SQLite")]
    assert database
    assert all(line.endswith("NOT met") for line in database)


def test_a_failed_request_of_the_many_clinics_load_is_reported_and_not_met() -> None:
    text, ok = run([], ["caseload: 502"])
    assert not ok
    assert "- many clinics: no error under the load: NOT met" in text
    assert "Errors: 1 (first: ['caseload: 502'])" in text
