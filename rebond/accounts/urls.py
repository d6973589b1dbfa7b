from django.urls import path

from rebond.accounts import account_views, mfa_views, passkey_views, views
from rebond.accounts.middleware import second_factor_not_required

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", second_factor_not_required(views.LogoutView.as_view()), name="logout"),
    # The clinician's own account: password change, links to the second factor.
    path("", account_views.account, name="account"),
    # Forgotten password (rebond/accounts/passwords.py): public, the same answer for everyone.
    path("password-reset/", account_views.forgot_password, name="password_reset"),
    path("password-reset/sent/", account_views.reset_sent, name="password_reset_sent"),
    # The e-mailed link; its token is swapped for the session at once (the address then holds
    # "set-password" instead), and the logs redact it (rebond/lib/logs.py).
    path(
        "reset/<str:uidb64>/<str:token>/",
        account_views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # Second factor (rebond/accounts/mfa.py).
    path("two-factor/setup/", mfa_views.enrol, name="mfa_enrol"),
    path("two-factor/verify/", mfa_views.verify, name="mfa_verify"),
    path("two-factor/", mfa_views.settings_page, name="mfa_settings"),
    path(
        "two-factor/recovery-codes/",
        mfa_views.regenerate_recovery_codes,
        name="mfa_recovery_codes",
    ),
    path("two-factor/reset/", mfa_views.reset_device, name="mfa_reset"),
    path("reauthenticate/", mfa_views.reauthenticate, name="reauthenticate"),
    # Passkeys, beside the authenticator app (rebond/accounts/passkeys.py).
    path("two-factor/verify/passkey/", passkey_views.verify, name="passkey_verify"),
    path(
        "two-factor/passkeys/authentication-options/",
        passkey_views.authentication_options,
        name="passkey_authentication_options",
    ),
    path("two-factor/passkeys/add/", passkey_views.add, name="passkey_add"),
    path(
        "two-factor/passkeys/registration-options/",
        passkey_views.registration_options,
        name="passkey_registration_options",
    ),
    path(
        "two-factor/passkeys/<uuid:passkey_id>/remove/",
        passkey_views.remove,
        name="passkey_remove",
    ),
]

# Clinic admins' pages about a colleague's account, beside the staff pages (rebond/staff).
staff_patterns = [
    path(
        "settings/staff/<uuid:user_id>/reset-two-factor/",
        account_views.staff_reset_second_factor,
        name="staff_reset_second_factor",
    ),
]
