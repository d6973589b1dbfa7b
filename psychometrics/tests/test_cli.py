"""The rebond command line: score, change, instruments (exit codes and output)."""

from __future__ import annotations

import json

import pytest

from psychometrics.cli import main
from psychometrics.instruments import REGISTRY
from psychometrics.tests.toy import LABELS, make_toy


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_prints_json(capsys):
    # INSTRUMENTS.md 5.1: [2,2,1,2,1,2,1,1,1] = 13, moderate, item 9 flag.
    code, out, err = run(capsys, "score", "PHQ-9", "--answers", "2,2,1,2,1,2,1,1,1", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["instrument"] == "PHQ-9"
    assert (data["total"], data["band"], data["max"], data["complete"]) == (
        13,
        "moderate",
        27,
        True,
    )
    assert data["subscales"] == {}
    assert [flag["code"] for flag in data["flags"]] == ["phq9_item9"]


def test_score_flags_a_positive_hits_screen(capsys):
    # Issue 15 B5: total 16 > 10 (Sherin et al. 1998 cut score 10.5) with item 1 "Never".
    answers = "Never,Frequently,Frequently,Frequently"
    code, out, _ = run(capsys, "score", "hits", "--answers", answers, "--json")
    data = json.loads(out)
    assert (code, data["total"], data["band"]) == (0, 16, "positive screen")
    assert [flag["code"] for flag in data["flags"]] == ["hits_positive_screen"]


def test_score_accepts_labels_and_prints_text(capsys):
    answers = "Several days,several days,not at all,1,0,0,1,0,0"
    code, out, _ = run(capsys, "score", "phq9", "--answers", answers)
    assert code == 0
    assert "Depression severity: 4 (range 0-27)" in out
    assert "band: minimal" in out


def test_score_text_shows_flags_means_and_missing_items(capsys):
    code, out, _ = run(capsys, "score", "ECR-RS", "--answers", "1,1,1,1,1,,6,6,6")
    assert code == 0
    assert "Attachment avoidance: incomplete" in out
    assert "Attachment anxiety: 7 (range 1-7)" in out
    assert "incomplete: item(s) 6 unanswered" in out
    code, out, _ = run(capsys, "score", "ECR-RS", "--answers", "1,1,1,1,1,1,6,5,5", "--json")
    data = json.loads(out)
    assert data["total"] is None
    assert data["min"] is None
    assert data["subscales"]["anxiety"] == pytest.approx(19 / 3)
    code, out, _ = run(capsys, "score", "ASQ", "--answers", "yes,no,no,no,")
    assert "RISK asq_positive" in out
    assert "RISK asq_acuity_unknown" in out
    code, out, _ = run(capsys, "score", "PCL-5", "--answers", ",".join(["2"] * 20))
    assert "NOTE pcl5_dsm5_pattern" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", "PHQ-9", "--answers", "1,2"], "PHQ-9 has 9 items but 2 answers"),
        (["score", "PHQ-9", "--answers", "1,1,1,1,1,1,1,1,4"], "PHQ-9 item 9: '4'"),
        (["score", "PHQ-9", "--answers", "1,1,1,1,1,1,1,1,often"], "0 = Not at all"),
        (["score", "NOPE", "--answers", "1"], "unknown instrument 'NOPE'"),
        (["score", "CSI-16", "--answers", "1"], "CSI-16 is not available"),
        (["change", "PHQ-9", "--before", "30", "--after", "2"], "outside 0-27"),
        (["change", "RSES", "--before", "10", "--after", "20"], "supply local norms"),
        (
            ["change", "PHQ-9", "--before", "10", "--after", "2", "--sd", "4"],
            "both --sd and --reliability",
        ),
        (
            [
                "change",
                "PHQ-9",
                "--before",
                "10",
                "--after",
                "2",
                "--sd",
                "4",
                "--reliability",
                "1",
            ],
            "reliability",
        ),
        (["score", "PHQ-9"], "--answers"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_score(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "usage: rebond" in out


def test_change_prints_json_with_its_sources(capsys):
    # INSTRUMENTS.md 5.1: 18 -> 11 is improved, not recovered.
    code, out, _ = run(capsys, "change", "PHQ-9", "--before", "18", "--after", "11", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["category"], data["rci"], data["reliable_change"]) == ("improved", None, 6)
    assert "NHS Talking Therapies" in data["threshold_source"]
    assert data["cutoff"] == 10


def test_change_with_local_norms_prints_text(capsys):
    argv = ["change", "RSES", "--before", "12", "--after", "22", "--sd", "5.8"]
    argv += ["--reliability", "0.91", "--norms-source", "Clinic 2024", "--cutoff", "15"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "RSES total: 12 -> 22 (+10): recovered" in out
    assert "RCI 4.06 (SD 5.8, r 0.91; Clinic 2024)" in out
    assert "cut-off 15 (supplied by the caller); crossed: yes" in out
    code, out, _ = run(capsys, "change", "PHQ-9", "--before", "18", "--after", "15")
    assert "not reliable: threshold 6.00 points" in out


def test_instruments_lists_status_and_reasons(capsys):
    code, out, _ = run(capsys, "instruments", "--json")
    rows = {row["code"]: row for row in json.loads(out)}
    assert code == 0
    assert rows["PHQ-9"]["available"]
    assert rows["PHQ-9"]["wording_ships"]
    assert rows["PHQ-9"]["licence_status"] == "SHIP"
    assert rows["PHQ-9"]["items"] == 9
    assert not rows["CSI-16"]["available"]
    assert "semantic-differential" in rows["CSI-16"]["reason"]
    code, out, _ = run(capsys, "instruments")
    assert "PHQ-9" in out
    assert "[available]" in out
    assert "unavailable: scoring key not verified" in out


def test_load_wording_makes_a_scoring_only_instrument_available(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(REGISTRY, "TOY", make_toy())
    monkeypatch.setenv("REBOND_WORDING_DIR", str(tmp_path / "wording"))
    items = [{"number": n, "text": f"Q{n}", "options": list(LABELS)} for n in range(1, 5)]
    source = tmp_path / "toy.json"
    source.write_text(json.dumps({"instrument": "TOY", "licence": "ours", "items": items}))
    _, out, _ = run(capsys, "instruments", "--json")
    assert {row["code"]: row for row in json.loads(out)}["TOY"]["available"] is False
    code, out, _ = run(capsys, "instruments", "load-wording", str(source))
    assert code == 0
    assert "loaded TOY wording (4 items)" in out
    _, out, _ = run(capsys, "instruments", "--json")
    toy = {row["code"]: row for row in json.loads(out)}["TOY"]
    assert (toy["available"], toy["wording"]) == (True, "loaded by the clinic")


def test_load_wording_refuses_a_bad_file(capsys, tmp_path):
    source = tmp_path / "bad.json"
    source.write_text(json.dumps({"instrument": "PHQ-9"}))
    code, out, err = run(capsys, "instruments", "load-wording", str(source))
    assert (code, out) == (2, "")
    assert "PHQ-9 wording already ships" in err


def test_load_wording_with_a_language_stores_a_translation(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(REGISTRY, "TOY", make_toy())
    monkeypatch.setenv("REBOND_WORDING_DIR", str(tmp_path / "wording"))
    options = ["Nunca", "A veces", "A menudo", "Siempre"]
    items = [{"number": n, "text": f"P{n}", "options": options} for n in range(1, 5)]
    source = tmp_path / "toy-es.json"
    source.write_text(json.dumps({"instrument": "TOY", "licence": "ours", "items": items}))
    code, out, err = run(capsys, "instruments", "load-wording", "--language", "es", str(source))
    assert (code, err) == (0, "")
    assert f"loaded TOY wording in es (4 items) into {tmp_path / 'wording' / 'es'}" in out
    _, out, _ = run(capsys, "instruments", "--json")
    rows = {row["code"]: row for row in json.loads(out)}
    assert rows["TOY"]["languages"] == ["es"]
    assert rows["PHQ-9"]["languages"] == ["en", "es"]
    assert rows["WHO-5"]["languages"] == ["en"]
    _, out, _ = run(capsys, "instruments")
    assert "(languages: en, es)" in out


def test_load_wording_with_a_language_refuses_a_bad_translation(capsys, tmp_path):
    items = [{"number": n, "text": "P", "options": ["Nunca"]} for n in range(1, 10)]
    source = tmp_path / "phq9-fr.json"
    source.write_text(json.dumps({"instrument": "PHQ-9", "licence": "x", "items": items}))
    code, out, err = run(capsys, "instruments", "load-wording", "--language", "fr", str(source))
    assert (code, out) == (2, "")
    assert "PHQ-9 item 1: 1 option labels where the key has 4. Give 4 translated labels" in err
    code, _, err = run(capsys, "instruments", "load-wording", "--language", "es", str(source))
    assert code == 2
    assert "PHQ-9 wording in es already ships with Rebond" in err


def test_text_output_of_means_and_changes_without_a_cutoff(capsys):
    code, out, _ = run(capsys, "score", "ECR-RS", "--answers", "1,1,1,1,1,1,6,5,5")
    assert "Attachment anxiety: 6.33 (range 1-7)" in out
    argv = ["change", "ECR-RS", "--scale", "anxiety", "--before", "6", "--after", "2"]
    code, out, _ = run(capsys, *argv, "--sd", "1.2", "--reliability", "0.65")
    assert code == 0
    assert "ECR-RS anxiety: 6 -> 2 (-4): improved" in out
    assert "cut-off" not in out


def test_python_dash_m_runs_the_command_line(monkeypatch, capsys):
    import runpy

    monkeypatch.setattr("sys.argv", ["rebond", "score", "GAD-7", "--answers", "0,0,0,0,0,0,0"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("psychometrics", run_name="__main__")
    assert exited.value.code == 0
    assert "band: minimal" in capsys.readouterr().out
