"""Every access rule lives in rebond/access/: nothing outside it checks case membership, compares
a row's couple or clinic with another, filters clinical rows by clinic, or reads a clinician's
role as a permission (issue 22). A new hand-written check fails here, naming its file and line:
ask the gateway instead (`access.get_<row>_of_case`, `access.is_clinic_admin`, ...), or add
the rule to rebond/access/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import rebond

ROOT = Path(rebond.__file__).resolve().parent

# Each pattern finds one kind of hand-written check. They look for comparisons and filters, not
# for writes: `Couple(clinic=clinician.clinic, primary_clinician=...)` creates a row and passes.
CLINICAL_MODELS = (
    "Couple|Partner|Injury|Alert|Administration|Submission|Session|Note|SafetyPlan"
    "|SafetyConcern|ConsentRecord|ContactChannel|EmergencyAccess|ConsultationRequest"
)
PATTERNS = {
    # `if injury.couple_id != couple.id: raise Http404` (a nested row's case, checked by hand).
    "couple comparison": re.compile(r"\bcouple_id\s*[!=]=|[!=]=\s*[\w.]*\bcouple_id\b"),
    # `if user.clinic_id != couple.clinic_id` (a clinic boundary, checked by hand).
    "clinic comparison": re.compile(r"\bclinic_id\s*[!=]=|[!=]=\s*[\w.]*\bclinic_id\b"),
    # `.filter(clinic_id=request.user.clinic_id)` (the user's clinic, read without the gateway).
    "own clinic filter": re.compile(
        r"\.(?:filter|exclude|get)\([^)]*\bclinic(?:_id)?=(?:request\.)?user\.clinic(?:_id)?\b"
    ),
    # `Couple.objects.filter(clinic=clinic)` (clinical rows scoped by clinic without the gateway).
    "clinical rows by clinic": re.compile(
        rf"\b(?:{CLINICAL_MODELS})\.objects\b.*\.(?:filter|exclude|get)\([^)]*"
        r"\b(?:clinic|clinic_id|couple__clinic|couple__clinic_id)="
    ),
    # `Q(primary_clinician=user) | Q(co_clinicians=user)` (who is on the case, recomputed).
    "case team filter": re.compile(
        r"\b(?:Q|filter|exclude|get)\([^)]*\b(?:primary_clinician|co_clinicians|supervisor)"
        r"(?:_id)?=|\bco_clinicians\.through\b"
    ),
    # `if not request.user.is_clinic_admin` (a role read as a permission; `x.is_clinic_admin =`
    # sets it, `is_clinic_admin=True` filters by it: neither matches).
    "role as permission": re.compile(
        r"\b(?:request\.user|user|admin|actor|approver)\.is_(?:clinic_admin|safety_lead)\b"
        r"(?!\s*=[^=])"
    ),
}

# The hand-written checks that remain, each with why it is not an access check. Keyed by file
# and the line's text (not its number, so that edits above it do not break the list).
ALLOWED = {
    # Operator command line and invitations: whether an existing account is the one named (of
    # this clinic, invited as its admin), a check of the data, not of who may see something.
    ("staff/management/commands/clinic.py", "if user.clinic_id != clinic.pk:"),
    ("staff/management/commands/clinic.py", "if not user.is_clinic_admin:"),
    ("staff/invitations.py", "elif user.has_usable_password() or user.clinic_id != clinic.pk:"),
    # Intake's own gateway for consultation requests: a request is not yet a case, so there is
    # no team to check, only the clinic first (the same rule as access.cases).
    ("intake/access.py", "return user.is_therapist or user.is_clinic_admin"),
    ("intake/access.py", "requests = ConsultationRequest.objects.filter(clinic_id=clinic_id)"),
    (
        "intake/access.py",
        "return ConsultationRequest.objects.filter(clinic=clinic, id=request_id).first()",
    ),
    # The public request form finds a resubmission of the same form (no user, nothing shown).
    (
        "intake/actions.py",
        "return ConsultationRequest.objects.filter(clinic=clinic, submission_key=submission_key)"
        ".first()",
    ),
    # Break-glass: a clinic admin names a case of their clinic by its reference and the grants
    # page lists the clinic's grants; `clinic` is what access.get_admin_clinic / get_settings_
    # clinic returned, and neither shows anything typed about the case.
    (
        "emergency/actions.py",
        "Couple.objects.filter(clinic=clinic, id__gte=low, id__lte=high).exclude(",
    ),
    (
        "emergency/actions.py",
        "couple = Couple.objects.filter(clinic=clinic, id=draft.couple_id).first()",
    ),
    (
        "emergency/views.py",
        "grants = EmergencyAccess.objects.filter(couple__clinic=clinic).select_related(",
    ),
    # Background work on a case or clinic already reached through the gateway, showing nothing:
    # a handover adds the new primary to the case's open alerts; a clinic admin's new outcome
    # settings recompute every active case's track.
    ("alerts/actions.py", ".filter(clinic_id=couple.clinic_id, couple=couple)"),
    (
        "measurement/actions.py",
        "active = Couple.objects.filter(clinic=clinic)"
        ".exclude(status__in=Couple.INACTIVE_STATUSES)",
    ),
    # The clinician's clinic's check-in settings (a clinic setting, no clinical row).
    (
        "measurement/caseload.py",
        "settings = ClinicCheckinSettings.objects.filter(clinic_id=user.clinic_id).first()",
    ),
}


@dataclass(frozen=True)
class Violation:
    path: str
    line_number: int
    kind: str
    line: str

    def __str__(self) -> str:
        return f"rebond/{self.path}:{self.line_number}: {self.kind}: {self.line}"


def violations(path: str, text: str) -> list[Violation]:
    """Return the hand-written access checks in one file's text (`path` relative to rebond/)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0].strip()
        if (path, code) in ALLOWED:
            continue
        for kind, pattern in PATTERNS.items():
            if pattern.search(code):
                found.append(Violation(path, number, kind, code))
    return found


def _scanned() -> list[Path]:
    """Return the project's source files outside the gateway, its tests and its migrations."""
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] == "access" or "tests" in parts or "migrations" in parts:
            continue
        if parts[0] == "demo":  # builds a demonstration clinic's rows; checks nothing
            continue
        if parts[-1] in ("conftest.py", "test.py"):  # test helpers build rows, check nothing
            continue
        files.append(path)
    return files


def test_no_access_check_is_written_outside_the_gateway() -> None:
    found = [
        v
        for path in _scanned()
        for v in violations(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert not found, "Ask rebond/access/ instead:\n" + "\n".join(map(str, found))


def test_every_allowed_line_still_exists() -> None:
    # A stale entry would allow the same text anywhere in that file later: keep the list true.
    texts = {
        path: {line.split("#", 1)[0].strip() for line in (ROOT / path).read_text().splitlines()}
        for path, _ in ALLOWED
    }
    assert [entry for entry in ALLOWED if entry[1] not in texts[entry[0]]] == []


def test_the_scan_reads_the_project() -> None:
    scanned = {p.relative_to(ROOT).as_posix() for p in _scanned()}
    assert "couples/views.py" in scanned
    assert "access/cases.py" not in scanned


SAMPLES = {
    "couple comparison": "    if injury.couple_id != couple.id:",
    "clinic comparison": "    if primary.clinic_id != clinician.clinic_id:",
    "own clinic filter": "    rows = Couple.objects.filter(clinic_id=request.user.clinic_id)",
    "clinical rows by clinic": "    plans = SafetyPlan.objects.filter(clinic=clinic, pk=plan_id)",
    "case team filter": "    mine = Q(primary_clinician=user) | Q(supervisor=user)",
    "role as permission": "    if not request.user.is_clinic_admin:",
}


def test_each_pattern_finds_the_check_it_is_for() -> None:
    for kind, sample in SAMPLES.items():
        found = violations("couples/views.py", f"x = 1\n{sample}\n")
        assert (found[0].line_number, found[0].kind) == (2, kind), sample
        assert str(found[0]).startswith("rebond/couples/views.py:2: ")


def test_writes_comments_and_role_filters_pass() -> None:
    passing = [
        "couple = Couple.objects.create(clinic=clinician.clinic, primary_clinician=clinician)",
        "alert = Alert.objects.create(clinic_id=couple.clinic_id, couple=couple)",
        "user.is_clinic_admin = admin",
        "admins = User.objects.filter(is_clinic_admin=True)",
        "# if injury.couple_id != couple.id: (was written by hand here)",
    ]
    assert violations("couples/views.py", "\n".join(passing)) == []


def test_an_allowed_line_passes_only_in_its_own_file() -> None:
    line = "        if user.clinic_id != clinic.pk:"
    assert violations("staff/management/commands/clinic.py", line) == []
    assert len(violations("staff/invitations.py", line)) == 1
