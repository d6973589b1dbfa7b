"""Everything a partner can be given, read as that partner (issue 15 A1 and A3).

Every page, htmx fragment and form answer of the URL map in each partner's private-link
session (refusals included), the e-mails they are sent (invitation, reminders, notifications),
the per-person export about them and the check-in summary PDF a clinician makes for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client
from django.utils.timezone import now

from rebond.alerts.delivery import deliver_notifications
from rebond.assessments.reminders import send_due_reminders
from rebond.interop import exports as interop_exports
from rebond.measurement import reports, summary
from rebond.portal import actions as portal_actions
from rebond.tests.pdf import pdf_text
from rebond.tests.security import policy
from rebond.tests.security.forms import post_forms
from rebond.tests.security.routes import all_routes, own_kwargs, send, undone, url
from rebond.tests.security.world import ANONYMOUS, PARTNER_A, PARTNER_B, THERAPIST, World

PARTNERS = (PARTNER_A, PARTNER_B)
# A public page (the request form) is the same for everyone: marked so, as its words are not
# about the case.
PUBLIC = " (public)"


def partner_channels(
    world: World, clients: dict[str, Client], capture: Any
) -> Iterator[tuple[str, str, str]]:
    """Yield (partner role, where, text) for everything either partner can be given."""
    forms = post_forms(world, clients)
    for role in PARTNERS:
        client = clients[role]
        for route in all_routes():
            path = url(route, own_kwargs(world, route))
            for method, extra in (("GET", {}), ("GET", {"HTTP_HX_REQUEST": "true"}), ("POST", {})):
                form = forms.get(path)
                data = form.data() if form is not None and method == "POST" else None
                with undone(client):
                    response = send(client, method, path, data, **extra)
                # A public page (the request form lists kinds of betrayal) is the same for
                # everyone: only its canaries count, not its words.
                public = ANONYMOUS in policy.allowed(route.name, method)
                where = f"{method} {path}{PUBLIC if public else ''}"
                yield role, where, response.content.decode(errors="replace")
    mail.outbox.clear()
    with capture(execute=True):  # the e-mails leave once the transaction commits
        for role in PARTNERS:
            portal_actions.invite_partner(world.people[THERAPIST], world.partner(role).id)
        deliver_notifications()
        send_due_reminders(now() + timedelta(days=60))
    addresses = {
        channel.value: role
        for role in PARTNERS
        for channel in world.partner(role).contact_channels.all()
    }
    sent = [m for m in mail.outbox if any(to in addresses for to in m.to)]
    assert sent, "no e-mail reached a partner"
    for message in sent:
        alternatives = " ".join(str(body) for body, _ in getattr(message, "alternatives", []))
        for to in message.to:
            if to in addresses:
                text = f"{message.subject}\n{message.body}\n{alternatives}"
                yield addresses[to], f"e-mail to {to}", text
    for role in PARTNERS:
        partner = world.partner(role)
        yield (
            role,
            "per-person export",
            interop_exports.person_export(world.people[THERAPIST], partner.id),
        )
        pdf = reports.client_report(summary.client_summary(partner), now())
        yield role, "check-in summary PDF", pdf_text(pdf)
