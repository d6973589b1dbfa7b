"""Clinics (tenants) and the clinicians who work in them.

A clinician belongs to exactly one clinic. Every clinical row carries its clinic, and the
gateway in `access.py` filters on the requesting clinician's clinic before anything else, so
one clinic's data cannot be reached from another by construction.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from rebond.crypto.fields import EncryptedCharField
from rebond.lib.language import first_supported


class SecretsPolicy(models.TextChoices):
    """How information from one partner's individual work may reach joint sessions (DOMAIN 4.4).

    Safety disclosures are exempt under both: they are never passed to the other partner.
    """

    NO_SECRETS = "no_secrets", _("No secrets")
    LIMITED_SECRETS = "limited_secrets", _("Limited secrets")


# The clinic's introduction on its public request page: a few short paragraphs.
REQUEST_INTRO_MAX_LENGTH = 1500


class Clinic(models.Model):
    """A practice: a solo therapist's or a clinic's. The tenant of all clinical data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    # Public address of the clinic's pages (e.g. the consultation request), unique per server.
    slug = models.SlugField(max_length=60, unique=True)
    jurisdiction = models.CharField(
        max_length=20,
        help_text="Country or region code; drives crisis resources and record-keeping rules.",
    )
    # An IANA zone name: every time is shown and typed in it (rebond/lib/clinic_time.py).
    timezone = models.CharField(max_length=60, default="UTC")
    # The public consultation request page (/c/<slug>/request/): open or not, and the
    # clinic's own words above the form. Changed on the clinic settings page. These columns
    # (issue 16) carry database defaults too, so rows written by the previous release's code
    # during an upgrade, or by an older migration's models, still get a value.
    public_requests_open = models.BooleanField(default=True, db_default=True)
    request_intro = models.TextField(blank=True, max_length=REQUEST_INTRO_MAX_LENGTH, db_default="")
    # A code of settings.LANGUAGES: the public request page's language, and that of clinicians
    # who chose none (rebond/lib/language.py).
    default_language = models.CharField(max_length=10, default="en", db_default="en")
    # Reply-To of the e-mails Rebond sends about this clinic (rebond/accounts/mail.py); empty:
    # replies go to the server's From address.
    reply_to_email = models.EmailField(blank=True, db_default="")
    default_secrets_policy = models.CharField(
        max_length=20, choices=SecretsPolicy.choices, default=SecretsPolicy.NO_SECRETS
    )
    # A HIGH alert nobody on the case acknowledges within this window goes to the clinic's
    # safety leads (DOMAIN 4.6 point 1).
    high_alert_ack_minutes = models.PositiveIntegerField(default=60)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class CrisisResource(models.Model):
    """A crisis line or service the clinic shows to someone who may not be safe right now.

    Rebond never contacts these services itself (DOMAIN.md 4.6 point 8); it shows them.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="crisis_resources")
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True)
    text_number = models.CharField(max_length=40, blank=True, help_text="Number for text messages.")
    url = models.URLField(blank=True)
    hours = models.CharField(max_length=120, blank=True, help_text='E.g. "24 hours, every day".')
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    """Create clinicians by e-mail address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A clinician needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A clinician's login. Clients (partners) never have one: they answer through links."""

    class Role(models.TextChoices):
        THERAPIST = "therapist", _("Therapist")
        SUPERVISOR = "supervisor", _("Supervisor")
        SAFETY_LEAD = "safety_lead", _("Safety lead")
        CLINIC_ADMIN = "clinic_admin", _("Clinic admin")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=120)
    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        related_name="clinicians",
        null=True,
        blank=True,
        help_text="Empty only for server operators, who see no clinical data.",
    )
    is_therapist = models.BooleanField(default=True)
    is_supervisor = models.BooleanField(default=False)
    is_safety_lead = models.BooleanField(default=False)
    is_clinic_admin = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=now)
    # Browsers trusted before this moment are trusted no more (rebond/accounts/devices.py
    # `forget_all`, called when the clinician is deactivated): the trust lives in a cookie,
    # so forgetting it needs this server-side line.
    browsers_forgotten_at = models.DateTimeField(null=True, blank=True)
    # A code of settings.LANGUAGES for the clinician's pages and e-mails; empty: the clinic's
    # default language (rebond/lib/language.py).
    language = models.CharField(max_length=10, blank=True, default="", db_default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        ordering: ClassVar[list[str]] = ["display_name"]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def preferred_language(self) -> str:
        """Return the language of the clinician's pages and e-mails."""
        return first_supported(self.language, self.clinic.default_language if self.clinic else None)

    @property
    def roles(self) -> list[Role]:
        """Return the clinician's roles in a stable order, for display."""
        flags = [
            (self.is_therapist, self.Role.THERAPIST),
            (self.is_supervisor, self.Role.SUPERVISOR),
            (self.is_safety_lead, self.Role.SAFETY_LEAD),
            (self.is_clinic_admin, self.Role.CLINIC_ADMIN),
        ]
        return [role for has_role, role in flags if has_role]


class LoginAttempt(models.Model):
    """One password attempt not (yet) known to have succeeded, kept for login throttling.

    `username_key` is a keyed hash of the name typed, never the text itself: people sometimes
    type a password into the e-mail field. `device_key` is a keyed hash of the trusted
    browser's id when the attempt came from one (rebond/accounts/devices.py), else empty.
    Rows older than the throttling window are deleted (rebond/accounts/throttle.py).
    """

    username_key = models.CharField(max_length=64, db_index=True)
    ip = models.GenericIPAddressField(db_index=True)
    device_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at"]

    def __str__(self) -> str:
        return f"Login attempt from {self.ip} at {self.at:%Y-%m-%d %H:%M}"


class TOTPDevice(models.Model):
    """A clinician's authenticator app: the shared TOTP seed (RFC 6238, 30 s, 6 digits).

    One per clinician. It counts as a second factor only once `confirmed` (the clinician typed
    a valid code from the app); until then it is an enrolment in progress (rebond/accounts/mfa.py).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    # Encrypted at rest (SECURITY.md AU-02), bound to its clinician: the row's id is assigned
    # by the database, so the one-to-one user is the row's identity.
    secret = EncryptedCharField(max_length=64, respondent="user", row=("user",))
    confirmed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed else "enrolling"
        return f"Authenticator app of {self.user} ({state})"


class UsedTOTPStep(models.Model):
    """A TOTP time step whose code a clinician has used: it is never accepted again.

    The unique constraint, not a cache, refuses the replay: two worker processes (or servers
    on one database) that both check the same code cannot both insert the row (ASVS 6.5.1).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    step = models.BigIntegerField()
    used_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "step"], name="totp_step_used_once"),
        ]

    def __str__(self) -> str:
        return f"TOTP step {self.step} used by {self.user_id}"


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator app is lost, stored only as a keyed hash.

    Shown once, when made; `used_at` is set by a conditional update, so a code works once
    even when two requests race.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code of {self.user_id} ({'used' if self.used_at else 'unused'})"


class Passkey(models.Model):
    """A passkey (a WebAuthn public-key credential) a clinician may use instead of a code from
    the authenticator app, at login and at step-up (rebond/accounts/passkeys.py).

    Nothing here is secret: the private key never leaves the clinician's device, and the
    public key and credential id are what the browser shows any site that asks. So, like
    `User.display_name`, the columns stay in plaintext (docs/crypto-inventory.yaml); the
    credential id is looked up by equality at every use.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    # base64url, as the browser names the credential; unique across the server (WebAuthn 7.1
    # step 25: a credential id already registered, to anyone, is refused).
    credential_id = models.CharField(max_length=1400, unique=True)
    # COSE_Key bytes from the attestation, read back by py_webauthn at every assertion.
    public_key = models.BinaryField()
    # The authenticator's signature counter at its last use; a count that does not go up
    # means a copied (cloned) authenticator, and the assertion is refused (WebAuthn 7.2 step 21).
    sign_count = models.PositiveBigIntegerField(default=0)
    # Hints the browser gave (usb, nfc, ble, internal, hybrid…), sent back with the options.
    transports = models.JSONField(default=list, blank=True)
    # The clinician's own label for the device ("Work laptop"), to tell passkeys apart.
    name = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]

    def __str__(self) -> str:
        return f"Passkey {self.name!r} of {self.user_id}"
