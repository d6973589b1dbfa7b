"""Login and logout for clinicians."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Django's login, with Rebond's template; already marked as not requiring a login."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
