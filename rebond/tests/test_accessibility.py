"""WCAG 2.2 AA points axe cannot see (issue 24, items 10-14), checked on the served HTML and
the drawn charts: unique ids, labelled scrolling regions, nothing said by colour alone, chart
values in words and tables, "Error:" titles with focus on the error summary, distinct titles.
The browser side (reflow, focus not obscured, duplicate ids on every page a browser test
visits) is in rebond/tests/browser.py and test_browser_zoom.py."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.alerts.tests.helpers import make_alert
from rebond.assessments import actions as assessments
from rebond.couples.models import Couple
from rebond.demo.practice import build_demo_practice
from rebond.measurement import charts, plotting
from rebond.measurement.tests.test_client_summary import consent_to_feedback
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple, sign_in
from rebond.therapy.models import StageProgress

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1]
# PHQ-9 scored values 0-3 per item (Kroenke, Spitzer & Williams 2001); item 9 = 0: no risk flag.
PHQ9_FIRST_ITEMS = {1: 1, 2: 0, 3: 2}


def title(response: object) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)  # type: ignore[attr-defined]
    assert match is not None
    return " ".join(match.group(1).split())


def duplicate_ids(html: str) -> list[str]:
    return [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]


def _demo(label: str) -> Couple:
    return next(c for c in Couple.objects.all() if c.label == label)


def test_the_therapy_page_gives_every_form_its_own_ids() -> None:
    build_demo_practice()
    couple = _demo("Haddad & Moreau")  # a stalled AIRM track, so its form is on the page
    client = Client()
    sign_in(client, couple.primary_clinician)
    html = client.get(reverse("therapy", args=[couple.id])).content.decode()
    assert html.count("Record the AIRM step</button>") >= 1
    assert "Record the move</button>" in html
    assert duplicate_ids(html) == []
    # Each attest box is named by its own label, so a click on one never ticks the other.
    for box in re.findall(r'<input type="checkbox" name="attest"[^>]*id="([^"]+)"', html):
        assert html.count(f'for="{box}"') == 1


def test_every_scrolling_table_and_the_timeline_are_focusable_labelled_regions() -> None:
    wrappers = []
    for template in TEMPLATES.glob("**/templates/**/*.html"):
        for tag in re.findall(
            r'<div class="(?:table-wrap|timeline-wrap)[^>]*>', template.read_text()
        ):
            wrappers.append((template.name, tag))
    assert len(wrappers) >= 10
    for name, tag in wrappers:
        assert 'tabindex="0"' in tag, (name, tag)
        assert 'role="region"' in tag, (name, tag)
        assert "aria-label=" in tag or "aria-labelledby=" in tag, (name, tag)


def test_the_caseload_says_paused_for_safety_in_words(client: Client, alice: User) -> None:
    couple = make_couple(alice, "Rivera & Chen")
    StageProgress.objects.create(couple=couple, position="S4")
    Couple.objects.filter(pk=couple.pk).update(status=Couple.Status.PAUSED_SAFETY)
    sign_in(client, alice)
    html = client.get(reverse("caseload")).content.decode()
    [cell] = re.findall(r'<span class="status status--paused_safety">(.*?)</span>', html)
    assert "Paused for safety" in cell


def test_the_two_reliable_change_bands_differ_by_dash_not_colour_alone() -> None:
    data = charts.ChartData(
        title="RDAS",
        y_label="Dyadic adjustment",
        y_range=(0, 69),
        cutoff=47.31,
        higher_is_better=True,
        partners=[
            charts.PartnerLine("Sam", [(0, 30), (1, 33)], (18.42, 41.58)),
            charts.PartnerLine("Alex", [(0, 35), (1, 35)], (23.42, 46.58)),
        ],
    )
    ax = plotting.figure(data).axes[0]
    styles = {
        line.get_label(): (str(line.get_linestyle()), line.get_marker()) for line in ax.get_lines()
    }
    sam, alex = styles["Sam: intake ± reliable change"], styles["Alex: intake ± reliable change"]
    assert sam != alex
    # And each differs from both score lines.
    assert {sam, alex}.isdisjoint({styles["Sam"], styles["Alex"]})
    key = charts.line_key(data)
    assert "Sam's intake ± reliable change (18.42 to 41.58): dotted lines" in key
    assert "Alex's intake ± reliable change (23.42 to 46.58): dash-dot lines" in key
    assert "expected" not in key


def test_the_partners_you_both_chart_has_its_values_in_words_and_in_a_table() -> None:
    build_demo_practice()
    couple = _demo("Haddad & Moreau")
    sami = couple.partners.get(role="A")
    consent_to_feedback(couple.primary_clinician, couple)
    client = Client()
    open_space(client, sami, couple.primary_clinician)
    html = client.get(reverse("my_progress")).content.decode()
    assert 'id="couple-title"' in html, "the demo couple should see the chart of them both"
    [alt] = re.findall(r"<img class=\"chart\" src=\"[^\"]*couple[^\"]*\" alt=\"([^\"]*)\"", html)
    assert re.search(r"You: [\d.]+ at the first, [\d.]+ at the latest", alt), alt
    assert re.search(r"lodie Moreau: [\d.]+ at the first", alt), alt
    assert "Scores of you both by check-in" in html


def test_a_wrong_password_says_error_in_the_title_and_focuses_the_message(
    client: Client, alice: User
) -> None:
    response = client.post(reverse("login"), {"username": alice.email, "password": "wrong"})
    assert title(response) == "Error: Log in · Rebond"
    assert re.search(r'id="login-errors" tabindex="-1" autofocus', response.content.decode())
    assert title(client.get(reverse("login"))) == "Log in · Rebond"


def test_alert_pages_have_distinct_titles_and_a_failed_close_focuses_an_error_summary(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice)
    first, second = make_alert(couple, [alice]), make_alert(couple, [alice])
    type(second).objects.filter(pk=second.pk).update(
        created_at=first.created_at + timedelta(hours=2)
    )
    sign_in(client, alice)
    titles = {title(client.get(reverse("alert", args=[a.id]))) for a in (first, second)}
    assert len(titles) == 2, titles
    response = client.post(reverse("alert_close", args=[first.id]), {})
    assert response.status_code == 422
    assert title(response).startswith("Error: ")
    html = response.content.decode()
    assert re.search(r'class="error-summary"[^>]*tabindex="-1" autofocus', html)
    assert re.search(r'<a href="#id_close-\w+', html), "each error links to its field"


def test_check_ins_have_distinct_titles_and_an_incomplete_finish_focuses_the_notice(
    alice: User,
) -> None:
    couple = make_couple(alice)
    a = couple.partners.get(role="A")
    scheduled = [
        x
        for code in ("PHQ-9", "GAD-7")
        for x in assessments.schedule_instrument(alice, couple.id, code)
        if x.partner_id == a.id
    ]
    client = Client()
    open_space(client, a, alice)
    titles = {
        title(client.get(reverse("checkin", kwargs={"administration_id": x.id}))) for x in scheduled
    }
    assert titles == {"Check-in 1 of 2 · Rebond", "Check-in 2 of 2 · Rebond"}
    phq = scheduled[0]
    data = {f"item-{n}": str(v) for n, v in PHQ9_FIRST_ITEMS.items()}
    data["submission_key"] = str(phq.submission_key)
    url = reverse("checkin_submit", kwargs={"administration_id": phq.id})
    response = client.post(url, data)
    assert title(response).startswith("Error: Check-in")
    assert re.search(
        r'class="checkin-notice"[^>]*tabindex="-1" autofocus', response.content.decode()
    )
    receipt = client.post(url, {**data, "finish": "anyway"}, follow=True)
    assert title(receipt) == "Thank you: check-in sent · Rebond"


def test_answer_regions_on_the_case_check_ins_page_name_the_partner_and_date(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice, partners=("Dana Rivera", "Sam Chen"))
    dana = couple.partners.get(role="A")
    phq = next(
        x
        for x in assessments.schedule_instrument(alice, couple.id, "GAD-7")
        if x.partner_id == dana.id
    )
    assessments.submit_administration(
        dana, phq.id, phq.submission_key, dict.fromkeys(range(1, 8), 1)
    )
    sign_in(client, alice)
    html = client.get(reverse("case_checkins", args=[couple.id])).content.decode()
    assert re.search(r'role="region" aria-label="Dana Rivera: answers to GAD-7, completed \d', html)
