"""The words of Rebond's scripts, in one language: Django's JavaScript catalogue, per language.

The page names its language in the script's address (`/jsi18n/es/`), so the catalogue follows
the reader's language (a partner's, a clinician's) rather than the browser's, and each
language's catalogue is one cacheable file. It is a script file from Rebond's own origin,
which the Content Security Policy allows; no inline script is needed.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import translation
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

from rebond.lib.language import supported

# The djangojs catalogues of LOCALE_PATHS (rebond/locale) and of every app.
_catalogue = JavaScriptCatalog.as_view()


@require_safe
@login_not_required
def javascript_catalogue(request: HttpRequest, language: str) -> HttpResponseBase:
    """Return the catalogue of `language`, or 404 for a language Rebond does not ship."""
    if not supported(language):
        raise Http404
    with translation.override(language):
        return _catalogue(request)
