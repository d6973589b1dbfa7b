"""Audit entries for operations run on the server: keys, backups, restores, CLI creations.

Whoever runs `rebond keys rotate`, `backup`, `restore`, or creates a clinic or an account from
the command line (`createsuperuser`, a shell) is recorded as the host user, and the person
behind sudo when there is one: `cli:rebond@host (sudo by alice)`. Entries name the operation,
the record's id and key ids or counts, never a value (issue 24, item 7).
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from rebond.audit import log

LABEL_LENGTH = 200  # AuditEntry.actor_label


def operator_label() -> str:
    """Return who runs this process on this host: `cli:<user>@<host>[ (sudo by <user>)]`."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid {os.getuid()}"
    sudo = os.environ.get("SUDO_USER", "")
    label = f"cli:{user}@{socket.gethostname()}" + (f" (sudo by {sudo})" if sudo else "")
    return label[:LABEL_LENGTH]


def log_operation(
    action: str,
    *,
    object_type: str = "",
    object_id: str = "",
    clinic_id: Any = None,
    fields: Iterable[str] = (),
    reason: str = "",
) -> None:
    """Record a server operation run by this process's operator, in its own transaction."""
    with transaction.atomic():
        log(
            actor=None,
            actor_label=operator_label(),
            action=action,
            object_type=object_type,
            object_id=object_id,
            clinic_id=clinic_id,
            fields=fields,
            reason=reason,
        )


def _clinic_created(sender: Any, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if created and not raw:
        log_operation(
            "clinic.create", object_type="accounts.clinic", object_id=str(instance.pk),
            clinic_id=instance.pk,
        )  # fmt: skip


def _account_created(sender: Any, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if created and not raw:
        log_operation(
            "account.create", object_type="accounts.user", object_id=str(instance.pk),
            clinic_id=instance.clinic_id,
        )  # fmt: skip


@contextmanager
def command_line() -> Iterator[None]:
    """While a `rebond` command runs, audit every clinic and account it creates.

    Web requests audit their own creations; serving commands (rebond/cli.py) are not wrapped.
    """
    receivers = ((_clinic_created, "accounts.Clinic"), (_account_created, "accounts.User"))
    for receiver, sender in receivers:
        post_save.connect(receiver, sender=sender, dispatch_uid=f"cli-audit-{sender}")
    try:
        yield
    finally:
        for receiver, sender in receivers:
            post_save.disconnect(receiver, sender=sender, dispatch_uid=f"cli-audit-{sender}")
