"""Reliability with real processes (issue 5; SECURITY.md RL-01, RL-04, RL-05).

gunicorn serves Rebond from a SQLite file in WAL mode (and, in the PostgreSQL leg of
`make test`, from a scratch PostgreSQL database). The tests SIGKILL the whole server in the
middle of a questionnaire, and run both partners and a clinician writing at the same moment.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

import pytest
from django.db import connection

from rebond.assessments.models import DraftAnswer, Submission
from rebond.couples.models import Couple
from rebond.crypto.fields import open_stored
from rebond.tests import live

ERROR_RE = re.compile(r'class="errorlist"[^>]*><li>([^<]+)<')
CHECKED_RE = re.compile(r'<input type="radio" name="item-(\d+)" id="[^"]+" value="(\d+)" checked')


def checked_answers(html: str) -> dict[int, int]:
    return {int(item): int(value) for item, value in CHECKED_RE.findall(html)}


@pytest.fixture
def sqlite_server(tmp_path: Path) -> tuple[dict[str, str], list[dict[str, str]], Path]:
    database = tmp_path / "live.sqlite3"
    env = live.server_env(f"sqlite:///{database}", tmp_path)
    seeds = live.prepare(env, seed_count=2)
    return env, seeds, database


def drafts_in(database: Path, administration: str) -> dict[int, int]:
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT item_number, value FROM assessments_draftanswer WHERE administration_id = ?",
            [administration.replace("-", "")],
        ).fetchall()
    # Values are encrypted (rebond/crypto): opened with the keyring this process shares.
    return {
        item: open_stored(
            DraftAnswer, "value", blob, administration_id=administration, item_number=item
        )
        for item, blob in rows
    }


def open_checkin(client: live.HttpClient, token: str, administration: str) -> str:
    status, location, _ = client.request("GET", f"/p/{token}/")
    assert status == 302, (status, location[:200])
    status, page, _ = client.request("GET", f"/me/checkins/{administration}/")
    assert status == 200
    return page


def autosave(client: live.HttpClient, administration: str, item: int, value: int) -> int:
    status, _, _ = client.request(
        "POST", f"/me/checkins/{administration}/autosave/", {"item": str(item), "value": str(value)}
    )
    return status


@pytest.mark.slow
def test_answers_autosaved_before_a_sigkill_survive_and_the_client_resumes(
    sqlite_server: tuple[dict[str, str], list[dict[str, str]], Path],
) -> None:
    env, seeds, database = sqlite_server
    seed = seeds[0]
    administration = seed["administration_a"]
    port = live.free_port()
    server = live.start_gunicorn(env, port, workers=2)
    client = live.HttpClient(port)
    try:
        open_checkin(client, seed["token_a"], administration)
        acknowledged = {}
        for item, value in ((1, 2), (2, 1), (3, 3), (4, 0), (5, 1)):
            assert autosave(client, administration, item, value) == 200
            acknowledged[item] = value
        # The whole server, master and workers, dies without any chance to clean up.
        live.kill_hard(server)
        assert drafts_in(database, administration) == acknowledged
        with sqlite3.connect(database) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

        server = live.start_gunicorn(env, port, workers=2)
        client.conn.close()
        client = live.HttpClient(port, cookies=client.cookies)
        # The same browser session resumes where it was: the answers come back checked.
        status, page, _ = client.request("GET", f"/me/checkins/{administration}/")
        assert status == 200
        assert checked_answers(page) == acknowledged
        for item, value in ((6, 0), (7, 1), (8, 0), (9, 0)):
            assert autosave(client, administration, item, value) == 200
        key = live.KEY_RE.search(page)
        assert key is not None
        status, location, _ = client.request(
            "POST", f"/me/checkins/{administration}/submit/", {"submission_key": key.group(1)}
        )
        assert status == 302, location[:300]
    finally:
        live.stop(server)
    with sqlite3.connect(database) as db:
        (submission_id, answers) = db.execute(
            "SELECT id, answers FROM assessments_submission WHERE administration_id = ?",
            [administration.replace("-", "")],
        ).fetchone()
    stored = open_stored(
        Submission, "answers", answers, id=submission_id, administration_id=administration
    )
    assert stored == {"1": 2, "2": 1, "3": 3, "4": 0, "5": 1, "6": 0, "7": 1, "8": 0, "9": 0}


def write_concurrently(
    port: int, seeds: list[dict[str, str]], rounds: int
) -> tuple[dict[str, list[int]], list[str]]:
    """Partners A and B autosave, and a clinician edits the case, all at the same moment."""
    seed = seeds[0]
    statuses: dict[str, list[int]] = {"a": [], "b": [], "clinician": []}
    errors: list[str] = []
    barrier = threading.Barrier(3)

    def partner(role: str) -> None:
        client = live.HttpClient(port)
        administration = seed[f"administration_{role}"]
        open_checkin(client, seed[f"token_{role}"], administration)
        barrier.wait()
        for n in range(rounds):
            statuses[role].append(autosave(client, administration, n % 9 + 1, n % 4))

    def clinician() -> None:
        client = live.HttpClient(port)
        errors.extend(live.log_in_clinician(client))
        barrier.wait()
        couple = seed["couple"]
        client.request("GET", f"/cases/{couple}/")
        for n in range(rounds):
            status, text, _ = client.request(
                "POST",
                f"/cases/{couple}/details/",
                {
                    "case-label": f"Live couple edited {n}",
                    "case-relationship_agreement": "monogamous",
                    "case-relationship_agreement_notes": "",
                    "case-secrets_policy": "no_secrets",
                    "case-modality": "conjoint",
                },
            )
            statuses["clinician"].append(status)
            if status != 302 and not errors:
                errors.append(f"case details {status}: " + " ".join(ERROR_RE.findall(text)))

    threads = [
        threading.Thread(target=partner, args=("a",)),
        threading.Thread(target=partner, args=("b",)),
        threading.Thread(target=clinician),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, errors


@pytest.mark.slow
def test_both_partners_and_a_clinician_writing_at_once_lose_nothing(
    sqlite_server: tuple[dict[str, str], list[dict[str, str]], Path],
) -> None:
    env, seeds, database = sqlite_server
    port = live.free_port()
    server = live.start_gunicorn(env, port, workers=3)
    try:
        statuses, errors = write_concurrently(port, seeds, rounds=40)
    finally:
        live.stop(server)
    assert errors == []
    assert set(statuses["a"]) == {200}
    assert set(statuses["b"]) == {200}
    assert set(statuses["clinician"]) == {302}
    # The last write of each writer is what is stored.
    for role in ("a", "b"):
        drafts = drafts_in(database, seeds[0][f"administration_{role}"])
        assert drafts == {n % 9 + 1: n % 4 for n in range(31, 40)}
    with sqlite3.connect(database) as db:
        (label,) = db.execute(
            "SELECT label FROM couples_couple WHERE id = ?", [seeds[0]["couple"].replace("-", "")]
        ).fetchone()
    assert open_stored(Couple, "label", label, id=seeds[0]["couple"]) == "Live couple edited 39"


@pytest.mark.postgresql
@pytest.mark.django_db
def test_both_partners_and_a_clinician_writing_at_once_lose_nothing_on_postgresql(
    tmp_path: Path,
) -> None:
    import psycopg

    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with live.scratch_postgres(connection.settings_dict, "rebond_live") as scratch:
        env = live.server_env(scratch.url, tmp_path)
        seeds = live.prepare(env, seed_count=1)
        port = live.free_port()
        server = live.start_gunicorn(env, port, workers=3)
        try:
            statuses, errors = write_concurrently(port, seeds, rounds=40)
        finally:
            live.stop(server)
        assert errors == []
        assert set(statuses["a"]) == set(statuses["b"]) == {200}
        assert set(statuses["clinician"]) == {302}
        with psycopg.connect(scratch.conninfo) as db:
            for role in ("a", "b"):
                rows = db.execute(
                    "SELECT item_number, value FROM assessments_draftanswer "
                    "WHERE administration_id = %s",
                    [seeds[0][f"administration_{role}"]],
                ).fetchall()
                drafts = {
                    item: open_stored(
                        DraftAnswer,
                        "value",
                        blob,
                        administration_id=seeds[0][f"administration_{role}"],
                        item_number=item,
                    )
                    for item, blob in rows
                }
                assert drafts == {n % 9 + 1: n % 4 for n in range(31, 40)}
            row = db.execute(
                "SELECT label FROM couples_couple WHERE id = %s", [seeds[0]["couple"]]
            ).fetchone()
            assert row is not None
            label = open_stored(Couple, "label", row[0], id=seeds[0]["couple"])
            assert label == "Live couple edited 39"
