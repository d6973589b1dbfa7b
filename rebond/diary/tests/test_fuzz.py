"""Any input to the diary form: never a server error, and input refused is never kept."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.alerts.models import Alert
from rebond.diary.models import DiaryEntry
from rebond.diary.tests.conftest import Case

pytestmark = pytest.mark.django_db

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "felt_safe": st.one_of(st.integers(-3, 13).map(str), TEXT),
    "felt_close": st.one_of(st.integers(-3, 13).map(str), TEXT),
    "triggered": st.sampled_from(["yes", "no", "", "maybe"]),
    "trigger_kind": st.one_of(st.sampled_from(DiaryEntry.TriggerKind.values), TEXT),
    "trigger_intensity": st.one_of(st.integers(-3, 13).map(str), TEXT),
    "helped": st.one_of(st.sampled_from(DiaryEntry.Helped.values), TEXT),
    "line": st.one_of(TEXT, st.just("x" * 281), st.just("a\u202eb")),
    "not_safe_now": st.sampled_from(["on", "", "true", "0"]),
}


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.fixed_dictionaries({}, optional=FIELD_VALUES))
def test_the_diary_form_never_fails_and_keeps_nothing_it_refuses(
    case: Case, data: dict[str, Any]
) -> None:
    before = DiaryEntry.objects.count()
    response = case.client_a.post("/me/diary/write/", data)
    assert response.status_code in (302, 400), response.status_code
    written = DiaryEntry.objects.count() - before
    assert written == (1 if response.status_code == 302 else 0)
    if written:
        entry = DiaryEntry.objects.latest("written_at")
        assert 0 <= entry.felt_safe <= 10
        assert 0 <= entry.felt_close <= 10
        assert len(entry.line) <= 280
        assert Alert.objects.filter(source_diary_entry=entry).exists() == entry.not_safe_now
