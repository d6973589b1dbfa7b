"""Test helpers shared by every app: small `make_*` builders for synthetic rows.

The personas used across the suite (see rebond/conftest.py):
- alice: a therapist at Clinic A; the cases under test are hers.
- bob: a colleague at Clinic A, on none of alice's cases unless a test adds him.
- charlie: a therapist at Clinic B; must reach nothing of Clinic A.
"""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils.timezone import now

from rebond import audit
from rebond.accounts import mfa
from rebond.accounts.models import Clinic, TOTPDevice, UsedTOTPStep, User
from rebond.couples.models import Couple, Partner

_sequence = itertools.count(1)
PASSWORD = "correct horse battery staple"  # Synthetic test persona only.


def make_clinic(name: str = "Clinic", *, start_audit_chain: bool = True, **fields: Any) -> Clinic:
    """Return a new clinic; its audit chain started unless `start_audit_chain` is False (the
    audit tests, which watch a chain start with its clinic's first entry)."""
    n = next(_sequence)
    fields.setdefault("slug", f"clinic-{n}")
    fields.setdefault("jurisdiction", "GB")
    with transaction.atomic():
        clinic = Clinic.objects.create(name=name, **fields)
        if start_audit_chain:
            audit.start_chain(clinic.pk)  # as a clinic made by `rebond clinic create` is
    return clinic


def load_synthetic_wording(code: str) -> None:
    """Load made-up wording for a scoring-only instrument (a clinic loads its licensed copy in
    real life), so it can be scheduled: scheduling refuses an instrument with no wording.

    It goes to the test's wording directory (rebond/conftest.py gives each test its own); the
    labels are the key's, so scoring is exactly the published key's.
    """
    import json
    import tempfile
    from pathlib import Path

    from django.conf import settings

    from psychometrics import get_instrument
    from psychometrics.wording import load_wording

    instrument = get_instrument(code, include_unavailable=True)
    wording = {
        "instrument": instrument.code,
        "licence": "Synthetic test wording, not the published form",
        "items": [
            {
                "number": item.number,
                "text": f"Synthetic {instrument.code} question {item.number}",
                "options": list(item.labels),
            }
            for item in instrument.items
        ],
    }
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "wording.json"
        source.write_text(json.dumps(wording), encoding="utf-8")
        load_wording(source, Path(settings.WORDING_DIR))


def make_clinician(clinic: Clinic | None, name: str, **fields: Any) -> User:
    email = fields.pop("email", f"{name.lower().replace(' ', '.')}.{next(_sequence)}@example.test")
    return User.objects.create_user(
        email=email, password=PASSWORD, display_name=name, clinic=clinic, **fields
    )


def make_couple(
    clinician: User,
    label: str = "Test couple",
    *,
    partners: tuple[str, str] = ("Partner One", "Partner Two"),
    **fields: Any,
) -> Couple:
    assert clinician.clinic is not None
    couple = Couple.objects.create(
        clinic=clinician.clinic, label=label, primary_clinician=clinician, **fields
    )
    Partner.objects.create(couple=couple, role=Partner.Role.A, display_name=partners[0])
    Partner.objects.create(couple=couple, role=Partner.Role.B, display_name=partners[1])
    return couple


def open_checkins(clinician: User, count: int, label: str) -> list[dict[str, str]]:
    """Give `count` new couples of `clinician` an open PHQ-9 each, both partners invited by a
    private link valid for a day; return, per couple, its id and each partner's token and
    administration id (the answering partners of the live servers: rebond/tests/live.py)."""
    from rebond.assessments import actions
    from rebond.portal.models import PrivateLink, hash_token, new_token

    seeds = []
    for n in range(count):
        couple = make_couple(clinician, f"{label} {n}")
        actions.schedule_instrument(clinician, couple.id, "PHQ-9")  # both partners, together
        seed = {"couple": str(couple.id)}
        for partner in couple.partners.all():
            token = new_token()
            PrivateLink.objects.create(
                partner=partner,
                purpose="invitation",
                token_hash=hash_token(token),
                sent_at=now(),
                expires_at=now() + timedelta(days=1),
                created_by=clinician,
            )
            role = partner.role.lower()
            seed["token_" + role] = token
            seed["administration_" + role] = str(partner.administrations.get().id)
        seeds.append(seed)
    return seeds


def ensure_totp_device(user: User) -> TOTPDevice:
    """Give a clinician a confirmed authenticator app (a random seed) unless they have one."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"secret": mfa.new_secret()})
    if not device.confirmed:
        device.confirmed = True
        device.confirmed_at = now()
        device.save(update_fields=["confirmed", "confirmed_at"])
    return device


def sign_in(client: Client, user: User) -> None:
    """Sign a clinician in on a Django test client, as far as every clinical page requires.

    Tests use this rather than `client.force_login`, so that whatever a clinician must
    complete before clinical pages is done in one place: the password login, then the
    second factor, marked on the session by the same function the verify page uses.
    """
    ensure_totp_device(user)
    client.force_login(user)
    session = client.session
    mfa.mark_session_verified(session, user)
    session.save()


def sign_in_password_only(client: Client, user: User) -> None:
    """Log a clinician in with the password alone: the second factor still to do."""
    ensure_totp_device(user)
    client.force_login(user)


def unused_totp_code(user: User) -> str:
    """Return a code of the clinician's app the server will accept now: one of a time step
    (the current one, or the next one, which is allowed for clock skew) after the last step
    they used. Waits for the next step when both are spent (two logins in one half-minute).
    """
    # The device as it is: an enrolment in progress stays unconfirmed.
    device = TOTPDevice.objects.filter(user=user).first() or ensure_totp_device(user)
    while True:
        current = mfa.step_at()
        last_used = (
            UsedTOTPStep.objects.filter(user=user).order_by("-step").values_list("step", flat=True)
        ).first()
        for step in (current, current + mfa.SKEW_STEPS):
            if last_used is None or step > last_used:
                return mfa.code_for_step(device.secret, step)
        time.sleep(max(0.1, (current + 1) * mfa.STEP_SECONDS - time.time()))


def change_entries() -> int:
    """Return how many audit entries record a change (reads and refused reads are left out)."""
    from rebond.audit.models import AuditEntry

    return AuditEntry.objects.exclude(action__regex=r"^(read|denied|emergency_read):").count()


def couple_labelled(label: str) -> Couple:
    """Return the one couple with this label (labels are encrypted: matched after reading)."""
    [couple] = [c for c in Couple.objects.all() if c.label == label]
    return couple
