"""Every named URL of the project, filled with real rows of the seeded world, and the
machinery to send one request as one role without the request changing what comes next."""

from __future__ import annotations

import copy
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from rebond.accounts.models import Passkey, User
from rebond.interop.jobs import run as run_job
from rebond.interop.jobs import start_export
from rebond.interop.models import BackgroundJob
from rebond.interop.tokens import create_token as create_api_token
from rebond.tests.security.world import INVITED, Calendar, Case, World, make_token


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]  # the URL's parameters, in order


def iter_patterns(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """Yield (namespace prefix, pattern) for every leaf pattern, however deeply included."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry.url_patterns, inner)
        else:
            yield namespace, entry


def all_routes() -> list[Route]:
    """Return every named route of the URL map."""
    routes = []
    for namespace, pattern in iter_patterns(get_resolver().url_patterns):
        assert pattern.name, f"Every URL needs a name; {pattern.pattern} has none."
        routes.append(Route(namespace + pattern.name, tuple(pattern.pattern.converters)))
    return routes


# The rows of one case a URL parameter names, by parameter; partner-owned rows are partner A's.
def case_ids(case: Case) -> dict[str, Any]:
    return {
        "couple_id": case.couple.id,
        "partner_id": case.a.id,
        "channel_id": case.channel_a.id,
        "consent_id": case.consent_a.id,
        "injury_id": case.injury.id,
        "concern_id": case.concern.id,
        "plan_id": case.plan_a.id,
        "alert_id": case.alert.id,
        "administration_id": case.open_a.id,
        "link_id": case.link_a.id,
        "session_id": case.session.id,
        "note_id": case.note.id,
        "appointment_id": case.appointment_a.id,
        "assignment_id": case.reading_a.id,  # a shelf page given to partner A only
        "entry_id": case.diary_entry.id,
    }


def other_partner_ids(case: Case) -> dict[str, Any]:
    """Return the same kinds of rows as `case_ids`, but partner B's (the other partner's)."""
    return {
        "partner_id": case.b.id,
        "channel_id": case.channel_b.id,
        "plan_id": case.plan_b.id,
        "administration_id": case.open_b.id,
        "link_id": case.link_b.id,
        "appointment_id": case.appointment_b.id,
        "assignment_id": case.reading_b.id,
        "entry_id": case.diary_entry_b.id,
    }


def calendar_ids(calendar: Calendar) -> dict[str, Any]:
    """Return a clinic's session type and its therapist's own hours, time off and feed."""
    return {
        "session_type_id": calendar.session_type.id,
        "hours_id": calendar.hours.id,
        "time_off_id": calendar.time_off.id,
        "feed_id": calendar.feed.id,
        "feed_token": calendar.feed_token,
    }


def clinic_a_ids(world: World) -> dict[str, Any]:
    return {
        "request_id": world.request_a.id,
        "resource_id": world.resource_a.id,
        "user_id": world.people["colleague"].id,
        "clinic_slug": world.clinic_a.slug,
        "grant_id": world.grant_a.id,
        "page_id": world.shelf_a.for_a.id,  # the shelf page C1 gives to partner A only
        **calendar_ids(world.calendar_a),
    }


def clinic_b_ids(world: World) -> dict[str, Any]:
    return {
        "request_id": world.request_b.id,
        "resource_id": world.resource_b.id,
        "user_id": world.people["outsider"].id,
        "grant_id": world.grant_b.id,
        "page_id": world.shelf_b.for_a.id,
        **calendar_ids(world.calendar_b),
    }


# Parameters that name no private row: the same in every URL.
def fixed_ids(world: World) -> dict[str, Any]:
    return {
        "document_id": world.document.id,
        "rule_code": "phq9_item9",
        "slug": "CSI-4",  # a couple's chart (rebond/measurement)
        "code": "CSI-4",  # a partner's own chart
        # A password reset link of the therapist's, with a token no reset link has: the page
        # says the link does not work (a private link's token is minted for portal routes).
        "uidb64": urlsafe_base64_encode(force_bytes(world.people["therapist"].pk)),
        "token": "cs7x2k-0123456789abcdef0123456789abcdef",
        "language": "es",  # the scripts' catalogue of one shipped language
    }


def make_passkey(user: User) -> Passkey:
    """Return a passkey row of `user`, made once: only its id is used, in its removal's URL.

    Made once, so filling a URL again writes nothing (the sweeps compare table fingerprints).
    """
    passkey, _ = Passkey.objects.get_or_create(
        user=user,
        name="Security suite key",
        defaults={
            "credential_id": secrets.token_urlsafe(32),
            "public_key": secrets.token_bytes(77),
        },
    )
    return passkey


def make_finished_export(user: User) -> BackgroundJob:
    """Return a research export of the user's caseload, made by the worker's own code."""
    job = start_export(user, BackgroundJob.Kind.RESEARCH_CSV, include_risk=False)
    run_job(job.id)
    return job


def own_kwargs(world: World, route: Route) -> dict[str, Any]:
    """Return the route's parameters filled with C1's rows (and Clinic A's)."""
    pool = {**case_ids(world.c1), **clinic_a_ids(world), **fixed_ids(world)}
    if "token" in route.kwargs and route.name.startswith("portal:"):
        pool["token"] = make_token(world.c1.a, world.people["therapist"])
    if "invitation_token" in route.kwargs:  # a usable invitation link (rebond/staff)
        pool["invitation_token"] = world.invitation_links[INVITED].strip("/").rsplit("/", 1)[1]
    if "token_id" in route.kwargs:  # an API token: the therapist's own (rebond/interop)
        pool["token_id"] = create_api_token(world.people["therapist"], "security suite")[0].id
    if "job_id" in route.kwargs:  # a finished export: the therapist's own (rebond/interop)
        pool["job_id"] = make_finished_export(world.people["therapist"]).id
    if "passkey_id" in route.kwargs:  # a passkey: the therapist's own (rebond/accounts)
        pool["passkey_id"] = make_passkey(world.people["therapist"]).id
    missing = set(route.kwargs) - set(pool)
    assert not missing, (
        f"The security suite cannot fill {sorted(missing)} of URL {route.name!r}: add the row"
        " it names to the world (rebond/tests/security/world.py) and to case_ids/clinic_a_ids"
        " in rebond/tests/security/routes.py."
    )
    return {key: pool[key] for key in route.kwargs}


def url(route: Route, kwargs: dict[str, Any]) -> str:
    return reverse(route.name, kwargs=kwargs)


def is_refused(response: HttpResponse, *, second_factor_owed: bool = False) -> bool:
    """Return whether the response refuses the request (see policy.py for the definition).

    For a session that owes its second factor (`second_factor_owed`), being sent to the
    second factor's pages is a refusal too: that is how SecondFactorMiddleware refuses.
    """
    # 401: the JSON API answering a request without a live token (rebond/interop/api.py).
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        location = str(response["Location"])
        if second_factor_owed and location.split("?")[0] in (
            reverse("mfa_enrol"),
            reverse("mfa_verify"),
        ):
            return True
        # LoginRequiredMiddleware sends a visitor to sign in with `?next=`; a logout's bare
        # redirect to the login page is its success.
        return location.startswith(reverse("login") + "?")
    return False


def send(client: Client, method: str, path: str, data: Any = None, **extra: Any) -> Any:
    """Send one request and return the test client's response; POST data is a form, other
    methods send no body."""
    if method == "POST":
        return client.post(path, data or {}, **extra)
    return client.generic(method, path, **extra)


@contextmanager
def undone(client: Client) -> Iterator[None]:
    """Undo whatever the block writes, and give the client back its session cookie.

    Each request of a sweep runs in a savepoint rolled back afterwards, so the next request
    finds the world as seeded (a deleted plan is there again; a session that was ended or
    cycled exists again under the cookie the client had).
    """
    saved = copy.deepcopy(client.cookies)
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    client.cookies = saved


# Tables whose change is not a change of clinical state: sessions, login throttling, the
# audit trail (which records refusals too, SECURITY.md LG-03).
NOT_STATE = frozenset(
    {"django_session", "accounts_loginattempt", "audit_auditentry", "audit_auditchainhead"}
)


def fingerprint(exclude: frozenset[str] = NOT_STATE) -> dict[str, str]:
    """Return a hash of every row of every table but `exclude`, by table."""
    tables = sorted(set(connection.introspection.table_names()) - exclude)
    result = {}
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from introspection
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return result


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
