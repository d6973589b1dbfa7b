"""Rebond speaks every shipped language completely (issue 20).

- Every template string is marked for translation (rebond/tests/translation.py reads them as
  a translator would meet them).
- Every shipped catalogue holds every marked string, translated and not fuzzy, and the compiled
  `.mo` the server reads is the `.po` as committed.
- The pages follow the reader: `<html lang>`, `dir` and the scripts' catalogue.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from rebond.lib import catalogues
from rebond.tests import translation


def test_every_template_string_is_marked_for_translation() -> None:
    unmarked = translation.unmarked_strings()
    assert not unmarked, "Mark these for translation ({% translate %}):\n" + "\n".join(
        str(found) for found in unmarked[:200]
    )


def test_the_check_finds_unmarked_text_and_attributes_and_passes_marked_ones(
    tmp_path: Path,
) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "{% load i18n %}<h1>{% translate 'Caseload' %}</h1>\n"
        "<p>Welcome back, {{ name }}</p>\n"
        '<button aria-label="Close">&times;</button>\n'
        "{% blocktranslate trimmed with n=count %}{{ n }} couples{% endblocktranslate %}\n"
        "{% comment %}A note for developers{% endcomment %}<span>Rebond · PHQ-9</span>\n"
        '<input type="submit" value="Save"><input name="q" value="typed">\n',
        encoding="utf-8",
    )
    found = [(item.line, item.text) for item in translation.unmarked_in(page)]
    assert found == [
        (2, "Welcome back, …"),
        (3, "aria-label=Close"),
        (6, "value=Save"),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("language", catalogues.languages())
def test_the_shipped_catalogue_translates_every_marked_string(
    language: str, tmp_path: Path
) -> None:
    # The catalogue as `rebond catalogues` would make it from today's sources, in a scratch
    # folder: the shipped catalogue is left exactly as committed...
    before = {
        domain: catalogues.catalogue(language, domain).read_bytes() for domain in catalogues.DOMAINS
    }
    catalogues.update(tmp_path, [language])
    assert before == {
        domain: catalogues.catalogue(language, domain).read_bytes() for domain in catalogues.DOMAINS
    }
    for domain in catalogues.DOMAINS:
        fresh = catalogues.catalogue(language, domain, tmp_path)
        shipped = catalogues.catalogue(language, domain)
        assert fresh.exists(), f"makemessages wrote no {domain} catalogue into {tmp_path}"
        # ...against the shipped one: every string present, translated, not fuzzy.
        compared = translation.gettext_tool("msgcmp", str(shipped), str(fresh))
        assert compared.returncode == 0, (
            f"{shipped.relative_to(catalogues.ROOT)} lacks translations "
            f"(run `make messages`, then translate):\n{compared.stderr[:4000]}"
        )


@pytest.mark.parametrize("language", catalogues.languages())
def test_the_compiled_catalogue_is_the_committed_one(language: str, tmp_path: Path) -> None:
    for domain in catalogues.DOMAINS:
        source = catalogues.catalogue(language, domain)
        if not source.exists():
            continue
        compiled = tmp_path / f"{domain}.mo"
        made = translation.gettext_tool(
            "msgfmt", "--check-format", "-o", str(compiled), str(source)
        )
        assert made.returncode == 0, made.stderr
        assert compiled.read_bytes() == source.with_suffix(".mo").read_bytes(), (
            f"{source.with_suffix('.mo').name} of {language!r} is stale: run `make messages`"
        )


@pytest.mark.django_db
def test_the_login_page_names_its_language_and_direction() -> None:
    english = Client().get(reverse("login"))
    assert b'<html lang="en" dir="ltr">' in english.content
    spanish = Client(headers={"accept-language": "es"}).get(reverse("login"))
    assert b'<html lang="es" dir="ltr">' in spanish.content
    assert spanish["Content-Language"] == "es"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", *catalogues.languages()])
def test_the_scripts_catalogue_is_served_in_each_shipped_language(language: str) -> None:
    response = Client().get(reverse("javascript_catalogue", args=[language]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"django.gettext" in response.content


@pytest.mark.django_db
def test_the_scripts_catalogue_refuses_a_language_rebond_does_not_ship() -> None:
    assert Client().get(reverse("javascript_catalogue", args=["xx"])).status_code == 404
