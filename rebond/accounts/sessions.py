"""End a clinician's sessions on the server (SECURITY.md SE-05, AU-07; ASVS 7.4.3, 7.4.5).

After a password reset or change every other browser signed in as that clinician is logged
out, and after a clinic admin resets a colleague's second factor all of the colleague's
sessions are. Django would refuse a session whose password hash no longer matches at its next
request anyway; deleting the rows ends them at once whatever changed (a second-factor reset
changes no password), and leaves nothing behind to be revived.

Sessions live in the database (settings.SESSION_ENGINE, the db backend): each row is decoded
to find whose it is. Partners' link sessions hold no user id and are never touched.
"""

from __future__ import annotations

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils.timezone import now

from rebond.accounts.models import User


def session_keys_of(user: User) -> list[str]:
    """Return the keys of the unexpired sessions signed in as `user`."""
    keys = []
    # iterator(): a busy server has many sessions (partners' too); none is kept in memory.
    for session in Session.objects.filter(expire_date__gt=now()).iterator():
        data = session.get_decoded()
        if data.get(SESSION_KEY) == str(user.pk) and HASH_SESSION_KEY in data:
            keys.append(session.session_key)
    return keys


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete every session signed in as `user` but the one whose key is `keep`; return how
    many ended."""
    keys = [key for key in session_keys_of(user) if key != keep]
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    return deleted
