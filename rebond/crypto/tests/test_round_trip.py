"""Every encrypted field type gives back exactly what was stored (SECURITY.md CR-02).

Falsy values are where field encryption libraries go wrong (`if value:` storing 0 and "" as
NULL), so the strategies lean on them: "", 0, None, negative numbers, Unicode, long text.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from rebond.assessments.models import Administration, DraftAnswer, Submission
from rebond.couples.models import ContactChannel, Partner
from rebond.test import make_clinic, make_clinician, make_couple
from rebond.tests.figures import Figures

EXAMPLES = 300
texts = st.one_of(
    st.just(""),
    st.just("0"),
    st.text(max_size=40),
    st.text(alphabet="é漢字🙂\u200b\n\t'\"\\%_", max_size=40),
    st.text(min_size=5000, max_size=6000),
)
integers = st.one_of(st.sampled_from([0, -1, 1]), st.integers(-(2**63), 2**63 - 1))
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)


class EncryptedRoundTrip(TestCase):
    examples = 0
    mismatches = 0

    @pytest.fixture(autouse=True)
    def _report(self, figures: Figures) -> Iterator[None]:
        self.examples = self.mismatches = 0
        yield
        figures.add("Crypto", "round-trip examples", self.examples)
        figures.add("Crypto", "round-trip mismatches", self.mismatches)

    def check(self, same: bool) -> None:
        self.examples += 1
        self.mismatches += not same
        assert same

    def setUp(self) -> None:
        clinician = make_clinician(make_clinic(), "Rita Round-Trip")
        self.couple = make_couple(clinician)
        self.partner: Partner = self.couple.partners.get(role="A")
        self.clinician = clinician

    def _administration(self) -> Administration:
        return Administration.objects.create(
            couple=self.couple,
            partner=self.partner,
            instrument_code="PHQ-9",
            created_by=self.clinician,
        )

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(value=texts, hours=texts)
    @pytest.mark.slow
    def test_text_round_trips_exactly(self, value: str, hours: str) -> None:
        channel = ContactChannel.objects.create(
            partner=self.partner, kind="email", value=value, safe_hours=hours
        )
        loaded = ContactChannel.objects.get(pk=channel.pk)
        self.check((loaded.value, loaded.safe_hours) == (value, hours))

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(value=integers)
    def test_integers_round_trip_exactly(self, value: int) -> None:
        draft = DraftAnswer.objects.create(
            administration=self._administration(), item_number=1, value=value
        )
        loaded = DraftAnswer.objects.get(pk=draft.pk).value
        self.check(loaded == value and type(loaded) is int)

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(
        answers=json_values.filter(lambda v: v is not None),
        total=st.one_of(st.none(), st.just(0), st.just(0.0), integers),
    )
    def test_json_round_trips_exactly_and_none_stays_none(self, answers: Any, total: Any) -> None:
        submission = Submission.objects.create(
            administration=self._administration(),
            submission_key=uuid.uuid4(),
            answers=answers,
            total=total,
            complete=True,
        )
        loaded = Submission.objects.get(pk=submission.pk)
        self.check(
            loaded.answers == answers
            and loaded.total == total
            and type(loaded.total) is type(total)
            and (loaded.total is None) == (total is None)
        )
