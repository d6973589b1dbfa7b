"""Acceptance of issue 6: canary search with real processes (SECURITY.md section 3, AC-04,
DOMAIN.md 4.6.3): no risk data in logs, e-mails or any page the other partner can reach.

gunicorn serves a scratch SQLite database with every log at DEBUG and the access log in the
format docs/deploy.md gives. Partner A, whose display name and every private field is a
canary, answers PHQ-9 item 9 "Nearly every day" and a positive HARK through the HTTP
endpoints; `rebond safety_sweep` delivers the clinician's notification to files. Searched:
everything gunicorn and the sweep wrote, every e-mail, and every page partner B's session can
GET (every URL pattern; those a partner's session reaches past the login wall with every id
of the world), crawled before and after A's answers.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter, StringConverter, UUIDConverter

from rebond.tests import live

ACCESS_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(L)s'  # docs/deploy.md
RISK_WORDS = re.compile(r"suicid|self[- ]harm|\bphq|\bhark\b|item 9|\brisks?\b", re.I)


def access_lines(logs: str) -> list[tuple[str, str]]:
    """Return (method, path) of each gunicorn access line (JSON, rebond/lib/gunicorn_logging.py)."""
    found = []
    for line in logs.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("message") == "access" and "path" in entry:
            found.append((str(entry["method"]), str(entry["path"])))
    return found


NORMALISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), "csrf"),
    # The public request form's idempotency key: new on every form (issue 15 C13).
    (re.compile(r'name="submission_key" value="[^"]+"'), "submission-key"),
    (re.compile(r"nonce-[A-Za-z0-9+/=_-]+|nonce=\"[^\"]+\""), "nonce"),
    (re.compile(r"^(Date|Set-Cookie|Expires): .*$", re.M), "header"),
]

SEED = """
import json, uuid
from datetime import timedelta
import django
django.setup()
from django.utils.timezone import now
from rebond.assessments import actions as assessments
from rebond.couples import actions
from rebond.couples.actions import ChannelDraft, InjuryDraft
from rebond.couples.models import Injury, Partner
from rebond.portal.models import PrivateLink, hash_token, new_token
from rebond.test import make_clinic, make_clinician, make_couple

def canary(person, name):
    return f"CANARY:{person}:{name}:{uuid.uuid4().hex[:10]}"

clinic = make_clinic("Canary clinic")
clinician = make_clinician(clinic, "Canary Clinician", email="k1@example.test")
couple = make_couple(clinician, "Canary couple")
a, b = couple.partners.order_by("role")
out = {"couple": str(couple.id), "canaries_a": [], "clinic_slug": clinic.slug}
for partner, person in ((a, "A"), (b, "B")):
    name = canary(person, "display_name")
    actions.update_partner(clinician, partner.id, display_name=name, pronouns="", language="en")
    address = f"canary-{person.lower()}-{uuid.uuid4().hex[:10]}@example.test"
    # A phone channel must hold a phone number: the canary is a unique one.
    hours, number = canary(person, "safe_hours"), f"+44 7700 {uuid.uuid4().int % 10**9:09d}"
    actions.add_contact_channel(clinician, partner.id, ChannelDraft(
        kind="email", value=address, safe_to_contact=True, safe_hours=hours))
    actions.add_contact_channel(clinician, partner.id, ChannelDraft(
        kind="phone", value=number, safe_to_contact=True, may_leave_message=True))
    if person == "A":
        onset = canary(person, "private_injury_onset")
        actions.record_injury(clinician, couple.id, InjuryDraft(
            category=Injury.Category.BROKEN_TRUST, subtype=Injury.Subtype.HIDDEN_HABIT,
            hurt_partner_id=a.id, hurtful_partner_id=b.id,
            disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY, reported_by_id=a.id,
            onset_period=onset))
        out["canaries_a"] += [name, address, hours, number, onset]
    token = new_token()
    PrivateLink.objects.create(partner=partner, purpose="invitation", token_hash=hash_token(token),
                               sent_at=now(), expires_at=now() + timedelta(days=1),
                               created_by=clinician)
    out["token_" + person.lower()] = token
for code in ("PHQ-9", "HARK"):
    for administration in assessments.schedule_instrument(clinician, couple.id, code):
        if administration.partner_id == a.id:
            out[code] = str(administration.id)
print(json.dumps(out))
"""

WORLD_IDS = """
import json, uuid
import django
django.setup()
from django.apps import apps
ids = []
for model in apps.get_models():
    skip = model._meta.app_label in ("audit", "django_tasks_database")
    if model._meta.pk.get_internal_type() == "UUIDField" and not skip:
        ids += [str(pk) for pk in model.objects.values_list("pk", flat=True)]
ints = [pk for model in apps.get_models() if model._meta.app_label == "accounts"
        and model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
        for pk in model.objects.values_list("pk", flat=True)]
print(json.dumps({"uuids": ids, "ints": ints[:5]}))
"""


def iter_patterns(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry.url_patterns, inner)
        else:
            yield namespace, entry


def partner_urls(world: dict[str, Any], slug: str, own_token: str) -> list[str]:
    """Every GET address of the URL map. Views behind the login wall answer a partner's
    session before any id is read, so they get one address each; the views a partner's
    session reaches (@login_not_required) get every id of the world."""
    urls = []
    for namespace, pattern in iter_patterns(get_resolver().url_patterns):
        name = namespace + str(pattern.name)
        if name == "portal:leave":
            continue  # Ends the session.
        reachable = getattr(pattern.callback, "login_required", True) is False
        pool: dict[type, list[Any]] = {
            UUIDConverter: world["uuids"],
            IntConverter: world["ints"] or [1],
            # Only the link's own address gets the token: any other path would put it in logs.
            StringConverter: [own_token, "not-a-token"] if name == "portal:open_link" else ["x"],
            SlugConverter: [slug],
        }
        converters = pattern.pattern.converters
        values = [pool[type(c)] for c in converters.values()]
        combos = (
            itertools.product(*values)
            if reachable
            else itertools.islice(itertools.product(*values), 1)
        )
        for combo in combos:
            urls.append(reverse(name, kwargs=dict(zip(converters, combo, strict=True))))
    return urls


def crawl(client: live.HttpClient, token: str, urls: list[str]) -> dict[str, str]:
    # The same client (browser) each time: a link opens only in the browser it was first
    # opened in (issue 15 A2).
    status, location, _ = client.request("GET", f"/p/{token}/")
    assert (status, location) == (302, "/me/")
    pages = {}
    for url in urls:
        status, text, _ = client.request("GET", url)
        assert status < 500, (url, status)
        for pattern, replacement in NORMALISE:
            text = pattern.sub(replacement, text)
        pages[url] = f"{status}\n{text}"
    return pages


def run_sweep(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(live.BIN / "rebond"), "safety_sweep"],
        env=env,
        cwd=live.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def answer(client: live.HttpClient, administration: str, values: dict[int, int]) -> str:
    status, page, _ = client.request("GET", f"/me/checkins/{administration}/")
    assert status == 200, page[:300]
    key = live.KEY_RE.search(page)
    assert key is not None
    for item, value in values.items():
        status, _, _ = client.request(
            "POST",
            f"/me/checkins/{administration}/autosave/",
            {"item": str(item), "value": str(value)},
        )
        assert status == 200
    status, location, _ = client.request(
        "POST", f"/me/checkins/{administration}/submit/", {"submission_key": key.group(1)}
    )
    assert status == 302, location[:300]
    status, receipt, _ = client.request("GET", location)
    assert status == 200
    return receipt


def run_script(env: dict[str, str], script: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=live.ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_no_risk_data_in_logs_emails_or_the_other_partners_pages(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        **live.server_env(f"sqlite:///{tmp_path / 'canary.sqlite3'}", tmp_path),
        "LOG_LEVEL": "DEBUG",
        "EMAIL_BACKEND": "rebond.alerts.tests.slow_email.Backend",
        "EMAIL_FILE_PATH": str(outbox),
        "SLOW_EMAIL_PAUSE": "0",
    }
    live.prepare(env)
    seed = run_script(env, SEED)
    server_log = tmp_path / "gunicorn.log"
    port = live.free_port()
    with server_log.open("wb") as out:
        server = subprocess.Popen(
            [
                str(live.BIN / "gunicorn"),
                "rebond.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "debug",
                "--access-logfile",
                "-",
                "--access-logformat",
                ACCESS_FORMAT,
                "--logger-class",
                "rebond.lib.gunicorn_logging.GunicornLogger",
            ],
            env=env,
            cwd=live.ROOT,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        live.wait_for(port)
        # The sweep's timer has run, as in any installation (and /healthz answers 200).
        first_sweep = run_sweep(env)
        urls = partner_urls(run_script(env, WORLD_IDS), seed["clinic_slug"], seed["token_b"])
        b = live.HttpClient(port)
        # B has used the link before: both crawls then see B's space in the same state (the
        # PIN offer of a link's first use moves down the page afterwards, issue 15 A2).
        assert b.request("GET", f"/p/{seed['token_b']}/")[:2] == (302, "/me/")
        before = crawl(b, seed["token_b"], urls)

        a = live.HttpClient(port)
        assert a.request("GET", f"/p/{seed['token_a']}/")[:2] == (302, "/me/")
        status, own_space, _ = a.request("GET", "/me/?utm_source=QUERY-CANARY-qs")
        assert status == 200
        # Positive control: the canaries are real, A's own space shows A's name.
        assert seed["canaries_a"][0] in own_space
        phq9 = answer(a, seed["PHQ-9"], {**dict.fromkeys(range(1, 9), 1), 9: 3})
        hark = answer(a, seed["HARK"], {1: 1, 2: 0, 3: 1, 4: 0})
        sweep = run_sweep(env)
        # The world now has the alerts, the notifications and the pause: crawl with them.
        urls = partner_urls(run_script(env, WORLD_IDS), seed["clinic_slug"], seed["token_b"])
        after = crawl(b, seed["token_b"], urls)
    finally:
        live.stop(server)

    logs = server_log.read_text(encoding="utf-8", errors="replace")
    logs += first_sweep.stdout + first_sweep.stderr + sweep.stdout + sweep.stderr
    emails = [path.read_text(encoding="utf-8") for path in sorted(outbox.iterdir())]
    access = access_lines(logs)
    tokens = [seed["token_a"], seed["token_b"]]
    secrets = [*seed["canaries_a"], *tokens, "QUERY-CANARY-qs"]

    def hits(texts: list[str], needles: list[str]) -> list[str]:
        return [n for text in texts for n in needles if n in text]

    leaks = {
        "log canaries": hits([logs], secrets),
        "log risk words": RISK_WORDS.findall(logs),
        "access-log query strings": [path for _, path in access if "?" in path],
        "e-mail canaries": hits(emails, secrets),
        "e-mail risk words": [w for text in emails for w in RISK_WORDS.findall(text)],
        "B page canaries": hits(list(after.values()), seed["canaries_a"]),
        "B pages changed by A's answers": [u for u in before if before[u] != after.get(u)],
        "B pages with new risk words": [
            url
            for url, text in after.items()
            if len(RISK_WORDS.findall(text)) > len(RISK_WORDS.findall(before.get(url, "")))
        ],
    }
    own_words = sum(len(RISK_WORDS.findall(text)) for text in before.values())
    print(
        f"\nCanary search: canaries of A {len(seed['canaries_a'])} (+2 link tokens, 1 query "
        f"string); channels: log lines {logs.count(chr(10))} (access {len(access)}), "
        f"e-mails {len(emails)}, B's pages {len(after)} (URLs tried before and after A's "
        f"answers; risk words on B's own check-ins {own_words}, unchanged); hits: "
        + ", ".join(f"{k} {len(v)}" for k, v in leaks.items())
    )
    # Positive controls: A saw help at once; the clinician's nudge went out; logs are logs.
    assert "crisis" in (phq9 + hark).lower() or "988" in phq9 + hark
    assert len(emails) >= 1
    assert len(access) > len(after)
    assert any(path == "/p/-/" for _, path in access)
    assert {k: v for k, v in leaks.items() if v} == {}
