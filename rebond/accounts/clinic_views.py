"""The clinic settings page (clinic admins): name, public request page, time zone, language and
the address for e-mails. Changes go through rebond/accounts/clinic_settings.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rebond import access
from rebond.accounts.clinic_forms import ZONE_LIST_ID, ClinicSettingsForm
from rebond.accounts.clinic_settings import (
    SHOWN_LABELS,
    ClinicSettingsDraft,
    update_clinic_settings,
)
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.lib.clinic_time import clinic_localtime, zone_names
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.lib.language import first_supported

UNPROCESSABLE = 422


def _say_saved(request: AuthenticatedHttpRequest, changed: list[str]) -> None:
    if changed:
        names = ", ".join(str(SHOWN_LABELS[name]) for name in changed)
        messages.success(request, _("Clinic settings saved (%(names)s).") % {"names": names})
    else:
        messages.info(request, _("Nothing had changed; the settings are as they were."))


@require_http_methods(["GET", "HEAD", "POST"])
def clinic_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinic's settings, and save them (clinic admins only, audited)."""
    clinic = access.get_admin_clinic(request.user)
    status = 200
    if request.method == "POST":
        form = ClinicSettingsForm(request.POST)
        if form.is_valid():
            try:
                changed = update_clinic_settings(request.user, form.draft())
            except ActionError as error:
                add_action_errors(form, error, fields={"public_requests_open": "public_requests"})
            else:
                # Said in the language of the next page: a new default may have changed it.
                with translation.override(
                    first_supported(request.user.language, form.cleaned_data["default_language"])
                ):
                    _say_saved(request, changed)
                return redirect("clinic_settings")
        status = UNPROCESSABLE
    else:
        form = ClinicSettingsForm.for_draft(ClinicSettingsDraft.of(clinic))
    public_path = reverse("consultation_request", args=[clinic.slug])
    context = {
        "form": form,
        "clinic": clinic,
        "public_url": settings.SITE_URL.rstrip("/") + public_path,
        "public_path": public_path,
        "zone_names": zone_names(),
        "zone_list_id": ZONE_LIST_ID,
        "clinic_now": clinic_localtime(clinic, now()),
    }
    return render(request, "accounts/clinic_settings.html", context, status=status)
