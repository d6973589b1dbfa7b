"""End every open session of a clinician at once (SECURITY.md AC-09: revocation is immediate).

Deactivation already refuses the clinician at their next request (Django's authentication
middleware drops a session whose user is inactive), but the session rows would live on until
they expire. They are deleted here, so nothing of the session survives the deactivation, and
a later reactivation cannot bring an old session back to life.

Sessions are stored in the database (Django's default engine, rebond/settings.py); each row is
decoded to find whose login it holds. A clinic has few live sessions, so this is cheap.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils.timezone import now

from rebond.accounts.models import User


def end_sessions_of(user: User) -> int:
    """Delete every unexpired session logged in as `user`; return how many were ended."""
    mine = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=mine).delete()
    return len(mine)
