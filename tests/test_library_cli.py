"""The library on the command line: `pathways`, `--pathway` on every command, `check DIR` and `pack new`."""

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from core.cli import main
from core.engine import conditions as condition_tree
from core.engine.guideline import DATA_DIR, build_guideline, load_guideline, read_raw
from core.engine.packs import pack_dirs
from core.engine.vocabulary import load_vocabulary
from core.review.pack_check import scenarios_reaching
from tests.conftest import edit

ROOT = Path(__file__).resolve().parents[1]
PACK_ID = "neck-upper-back-pain-after-lumbar-fusion"
CASE = {"red_flags": False, "mri_finding": "cord_compression", "prior_fusion_levels": "L2-L5"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pack(tmp_path) -> Path:
    """A private copy of today's pack, renamed and at version 9.9.9 so a command shows which pack it read."""
    target = tmp_path / "copy"
    shutil.copytree(DATA_DIR, target)

    def rename(m):
        m["id"], m["version"] = "copy-pack", "9.9.9"
        m["changelog"][0]["version"] = "9.9.9"

    edit(target / "manifest.yaml", rename)
    return target


@pytest.fixture
def case_file(tmp_path) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE))
    return path


# ------------------------------------------------------------------------------------------- pathways


def test_pathways_json_lists_each_pack_with_the_contract_keys(capsys):
    code, out, err = run(capsys, "pathways", "--format", "json")
    packs = json.loads(out)
    assert code == 0 and err == ""
    wanted = {"id", "title", "question", "version", "status", "source", "path", "fields", "dispositions"}
    assert wanted | {"rules", "scenarios"} <= set(packs[0])
    today = next(p for p in packs if p["id"] == PACK_ID)
    assert today["path"] == f"data/packs/{PACK_ID}" and (ROOT / today["path"] / "manifest.yaml").is_file()
    assert today["source"]["url"].startswith("https://www.droracle.ai/articles/711591/")
    assert {"id": "outside_scope", "class": "outside_scope"} in today["dispositions"]
    assert all(set(d) == {"id", "class"} for d in today["dispositions"])
    assert today["rules"] == 8 and today["scenarios"] == 18 and "region" in today["fields"]


def test_pathways_names_a_broken_pack_on_stderr_and_still_lists_the_others(tmp_path, monkeypatch, capsys):
    shutil.copytree(DATA_DIR, tmp_path / "good")
    shutil.copytree(DATA_DIR, tmp_path / "broken")
    edit(tmp_path / "broken" / "pathway.yaml", lambda p: p["dispositions"][0].update(tone="loud"))
    monkeypatch.setattr("core.cli_library.PACKS_DIR", tmp_path)
    code, out, err = run(capsys, "pathways")
    assert code == 0 and PACK_ID in out
    assert "broken/pathway.yaml: dispositions.0.tone" in err
    assert run(capsys, "pathways", "--strict")[0] == 1


# ------------------------------------------------------------------------------------------- --pathway


def test_evaluate_reads_the_pack_named_by_id_or_folder(pack, case_file, capsys):
    by_id = json.loads(run(capsys, "evaluate", str(case_file), "--format", "json", "--pathway", PACK_ID)[1])
    by_dir = json.loads(run(capsys, "evaluate", str(case_file), "--format", "json", "--pathway", str(pack))[1])
    by_data = json.loads(run(capsys, "evaluate", str(case_file), "--format", "json", "--data", str(pack))[1])
    assert by_id["pathway"] == PACK_ID and by_id["guideline_version"] != "9.9.9"
    assert by_dir["pathway"] == "copy-pack" and by_dir["guideline_version"] == "9.9.9"
    assert by_data["pathway"] == "copy-pack"


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "CASE"],
        ["cohort", "COHORT"],
        ["verify"],
        ["export-sql"],
        ["export-fhir"],
        ["report", "CASE"],
        ["course", "COURSE"],
        ["conflicts"],
    ],
)
def test_a_bad_pathway_exits_2_with_one_line(argv, case_file, capsys):
    code, out, err = run(
        capsys, *[str(case_file) if a in ("CASE", "COHORT", "COURSE") else a for a in argv], "--pathway", "no-such-pack"
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: --pathway: 'no-such-pack' is not a pack id")


def test_check_names_its_argument_as_its_usage_does_and_lists_the_pack_ids(capsys):
    code, out, err = run(capsys, "check", "nope")
    assert code == 2 and out == ""
    assert err.startswith("error: PACK: 'nope' is not a pack id or a pack folder")
    assert all(p.name in err for p in pack_dirs())
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "PACK" in capsys.readouterr().out


def test_a_folder_that_is_not_a_pack_is_refused(tmp_path, capsys):
    code, _, err = run(capsys, "verify", "--pathway", str(tmp_path))
    assert code == 2 and "--pathway" in err and "without a manifest.yaml" in err


def test_data_keeps_its_own_messages(tmp_path, capsys):
    code, _, err = run(capsys, "verify", "--data", str(tmp_path / "nowhere"))
    assert code == 2 and "--data: " in err and "no such directory" in err


def test_verify_cohort_and_sql_read_the_chosen_pack(pack, capsys):
    # In the copy a suspected red flag leads to an urgent referral instead of care outside the pathway.
    edit(pack / "pathway.yaml", lambda p: p["rules"][0].update(disposition="urgent_neurosurgical_referral"))
    assert "guideline 9.9.9" in run(capsys, "verify", "--pathway", str(pack))[1]
    assert "guideline version 9.9.9" in run(capsys, "export-sql", "--pathway", str(pack))[1]
    assert "guideline version 9.9.9" not in run(capsys, "export-sql", "--pathway", PACK_ID)[1]
    fhir = json.loads(run(capsys, "export-fhir", "--pathway", str(pack))[1])
    assert fhir["version"] == "9.9.9"
    cohort = str(pack / "demo_cohort.csv")
    today = json.loads(run(capsys, "cohort", cohort, "--format", "json", "--pathway", PACK_ID)[1])
    copied = json.loads(run(capsys, "cohort", cohort, "--format", "json", "--pathway", str(pack))[1])
    assert today["dispositions"]["outside_pathway"] > 0 and copied["dispositions"]["outside_pathway"] == 0


def test_report_and_course_read_the_chosen_pack(pack, case_file, tmp_path, capsys):
    edit(pack / "manifest.yaml", lambda m: m.update(title="A copied pathway"))
    assert "A copied pathway" in run(capsys, "report", str(case_file), "--pathway", str(pack))[1]
    course = tmp_path / "course.json"
    course.write_text(json.dumps({"course_id": "c1", "visits": [{"week": 0, **CASE}]}))
    code, out, _ = run(capsys, "course", str(course), "--format", "json", "--pathway", str(pack))
    assert code == 0 and "9.9.9" in out


# ------------------------------------------------------------------------------------------- pack new


def test_pack_new_writes_a_skeleton_that_loads_and_that_check_reads(tmp_path, capsys):
    target = tmp_path / "my-pack"
    assert run(capsys, "pack", "new", "my-pack", "--dir", str(target))[0] == 0
    g = load_guideline(target)
    assert g.info.id == "my-pack" and g.info.status == "draft" and g.info.version == "0.1.0"
    code, out, _ = run(capsys, "check", str(target))
    assert code == 1 and "no scenario is decided by this rule" in out
    assert all(re.match(r"^[a-z_]+\.yaml: \S", line) for line in out.splitlines())


def test_pack_new_from_a_pack_is_a_fresh_draft_without_lock_or_demo_data(tmp_path, capsys):
    target = tmp_path / "copy"
    assert run(capsys, "pack", "new", "copy-pack", "--from", PACK_ID, "--dir", str(target))[0] == 0
    manifest = yaml.safe_load((target / "manifest.yaml").read_text())
    assert manifest["id"] == "copy-pack" and manifest["version"] == "0.1.0" and manifest["status"] == "draft"
    assert len(manifest["changelog"]) == 1 and manifest["changelog"][0]["version"] == "0.1.0"
    assert not (target / "version.lock").exists() and not list(target.glob("demo_*"))
    assert (target / "manifest.yaml").read_text().startswith("# The pack's manifest")  # comments kept
    assert run(capsys, "check", str(target))[0] == 0


def test_pack_new_never_overwrites(tmp_path, capsys):
    target = tmp_path / "taken"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    code, _, err = run(capsys, "pack", "new", "taken", "--dir", str(target))
    assert code == 2 and "already exists" in err and (target / "keep.txt").read_text() == "mine"


# ------------------------------------------------------------------------------------------- check


def test_check_passes_on_todays_pack(capsys):
    code, out, _ = run(capsys, "check", f"data/packs/{PACK_ID}")
    assert code == 0 and out.startswith(f"data/packs/{PACK_ID}: clean\n") and "8 rules" in out


def test_check_refuses_what_is_not_a_pack(tmp_path, capsys):
    assert run(capsys, "check", str(tmp_path / "missing"))[0] == 2
    assert run(capsys, "check", str(tmp_path))[0] == 2
    assert run(capsys, "check", "no-such-id")[0] == 2


def test_check_never_rewrites_a_file(pack, capsys):
    edit(pack / "scenarios.yaml", lambda s: s["scenarios"][0]["expected"].update(disposition="conservative_care"))
    before = {p.name: p.read_bytes() for p in pack.iterdir()}
    assert run(capsys, "check", str(pack))[0] == 1
    assert {p.name: p.read_bytes() for p in pack.iterdir()} == before


def _rule_index(pack: Path, rule_id: str) -> int:
    return [r["id"] for r in yaml.safe_load((pack / "pathway.yaml").read_text())["rules"]].index(rule_id)


def _plant_duplicate_key(pack: Path) -> None:
    with (pack / "manifest.yaml").open("a") as handle:
        handle.write("title: Twice\n")


def _plant_shadowed_rule(pack: Path) -> None:
    def shadow(p):
        first = dict(p["rules"][0], id="copy_of_the_first_rule")
        p["rules"].insert(1, first)

    edit(pack / "pathway.yaml", shadow)


def _plant_unreached_rule(pack: Path) -> None:
    g = build_guideline(read_raw(pack), pack)  # not load_guideline: its copy would outlive the edit below
    rule = g.pathway.rules[2].id
    gone = set(scenarios_reaching(g)[rule])
    edit(pack / "scenarios.yaml", lambda s: s.update(scenarios=[x for x in s["scenarios"] if x["id"] not in gone]))


def _plant_unresolved_citation(pack: Path) -> None:
    (pack / "conflicts.yaml").unlink()  # the shipped file records the article's own missing references
    edit(pack / "statements.yaml", lambda s: s["statements"][0].update(citations=[1]))
    edit(pack / "statements.yaml", lambda s: s["statements"][0].update(citations=[99]))


PLANTED = {
    "schema error": (
        lambda p: edit(p / "pathway.yaml", lambda x: x["dispositions"][0].update(tone="loud")),
        r"^pathway\.yaml: dispositions\.0\.tone: ",
    ),
    "duplicate YAML key": (_plant_duplicate_key, r"^manifest\.yaml: title: key `title` given again"),
    "rule with an unknown disposition": (
        lambda p: edit(p / "pathway.yaml", lambda x: x["rules"][0].update(disposition="nowhere")),
        r"^pathway\.yaml: rules\.0 \(\w+\): unknown disposition `nowhere`",
    ),
    "unknown statement": (
        lambda p: edit(p / "pathway.yaml", lambda x: x["rules"][0].update(statements=["no_such_statement"])),
        r"^pathway\.yaml: rules\.0 \(\w+\): unknown statement `no_such_statement`",
    ),
    "scenario naming an unknown rule": (
        lambda p: edit(p / "scenarios.yaml", lambda x: x["scenarios"][0]["expected"].update(rule="R99")),
        r"^scenarios\.yaml: 0 \(\w+\): unknown rule `R99`",
    ),
    "condition reading an unknown field": (
        lambda p: edit(
            p / "pathway.yaml", lambda x: x["rules"][0].update(when={"field": "shoe_size", "op": "ge", "value": 1})
        ),
        r"^pathway\.yaml: rules\.0 \(\w+\): condition reads unknown field `shoe_size`",
    ),
    "field outside the vocabulary": (
        lambda p: edit(p / "manifest.yaml", lambda m: m["fields"].append("shoe_size")),
        r"^manifest\.yaml: fields\.15: `shoe_size` is not in the vocabulary",
    ),
    "field never read": (
        lambda p: edit(p / "manifest.yaml", lambda m: m["fields"].append("mjoa_score")),
        r"^manifest\.yaml: fields\.15: `mjoa_score` is listed but no condition reads it",
    ),
    "statement without citations": (
        lambda p: edit(p / "statements.yaml", lambda s: s["statements"][0].update(citations=[])),
        r"^statements\.yaml: statements\.0 \(\w+\): an article statement without citations",
    ),
    "citation without a reference": (
        _plant_unresolved_citation,
        r"^statements\.yaml: statements\.0 \(\w+\): cites \[99\] with no entry in references\.yaml",
    ),
    "rule shadowed by an earlier rule": (
        _plant_shadowed_rule,
        r"^pathway\.yaml: rules\.1 \(copy_of_the_first_rule\): decides no input .*shadowed",
    ),
    "inputs no rule decides": (
        lambda p: edit(
            p / "pathway.yaml", lambda x: x["rules"][-1].update(when={"field": "red_flags", "op": "is", "value": False})
        ),
        r"^pathway\.yaml: rules: the last rule must have no `when`",
    ),
    "rule no scenario reaches": (_plant_unreached_rule, r"^pathway\.yaml: rules\.2 \(\w+\): no scenario is decided"),
    "scenario whose expected result does not hold": (
        lambda p: edit(
            p / "scenarios.yaml", lambda s: s["scenarios"][0]["expected"].update(disposition="conservative_care")
        ),
        r"^scenarios\.yaml: scenarios\.0 \(\w+\): expected disposition 'conservative_care', the pathway gives",
    ),
    "milestone without a clock": (
        lambda p: edit(p / "pathway.yaml", lambda x: x["milestones"][0].pop("clock")),
        r"^pathway\.yaml: milestones\.0\.clock: Field required",
    ),
    "presentation reading a field the pack lacks": (
        lambda p: edit(
            p / "pathway.yaml",
            lambda x: x["presentations"][0].update(when={"field": "mjoa_score", "op": "lt", "value": 12}),
        ),
        r"^pathway\.yaml: presentations\.0 \(red flags\): condition reads unknown field `mjoa_score`",
    ),
    "disposition without a class": (
        lambda p: edit(p / "pathway.yaml", lambda x: x["dispositions"][0].pop("class")),
        r"^pathway\.yaml: dispositions\.0\.class: ",
    ),
}


@pytest.mark.parametrize("defect", list(PLANTED))
def test_check_names_the_file_and_path_of_each_planted_defect(defect, pack, capsys):
    plant, line = PLANTED[defect]
    plant(pack)
    code, out, _ = run(capsys, "check", str(pack))
    assert code == 1
    assert any(re.search(line, problem) for problem in out.splitlines()), out


def test_check_json_gives_file_path_and_message(pack, capsys):
    edit(pack / "pathway.yaml", lambda x: x["dispositions"][0].pop("class"))
    code, out, _ = run(capsys, "check", str(pack), "--format", "json")
    problems = json.loads(out)
    assert (
        code == 1 and {"file": "pathway.yaml", "path": "dispositions.0.class", "message": "Field required"} in problems
    )


# ------------------------------------------------------------------------------------------- no pathway in the code


def _pathway_ids() -> set[str]:
    """Every pack, rule, disposition, statement and phase id of every shipped pack, less the engine's and the
    vocabulary's own words (class ids, the scope rule, field ids and their values), which code may name."""
    ids: set[str] = set()
    for folder in pack_dirs():
        g = load_guideline(folder)
        p = g.pathway
        ids |= {g.info.id} | {r.id for r in p.rules} | {d.id for d in p.dispositions}
        ids |= {s.id for s in g.statements} | {ph.id for ph in p.phases}
    vocabulary = load_vocabulary()
    words = {"scope", "referral", "imaging", "conservative_care", "evaluation_elsewhere", "outside_scope"}
    words |= {"needs_information"} | set(vocabulary.fields)
    words |= {value for f in vocabulary.fields.values() for value in f.choices}
    return ids - words


# `region` is also the statement and reference models' own attribute (which part of the spine a cited source is
# about, core/engine/guideline.py `Region`), a word of the review layer rather than a read of the case field; its
# values name those regions there too.
REGION_WORDS = {"region", "cervical", "thoracic", "lumbar"}


def _field_ids() -> set[str]:
    """Every vocabulary field a shipped pack reads, and every choice or list value a pack's conditions test (the
    values a pathway decides on), less the region words above."""
    ids: set[str] = set()
    for folder in pack_dirs():
        g = load_guideline(folder)
        p = g.pathway
        conditions = [*g.conditions, g.info.scope, *(m.open_while for m in p.milestones)]
        conditions += [pr.when for pr in p.presentations]
        ids |= set(g.schema.fields)
        for test in (t for c in conditions for t in condition_tree.tests_in(c) if t.field in g.schema.choices):
            ids |= set(test.value if isinstance(test.value, list) else [test.value])
    return ids - REGION_WORDS


def _id_patterns() -> list[re.Pattern[str]]:
    """A pack's ids as code spells them. A rule, disposition, statement or phase id and a field id or value with an
    underscore count wherever they appear; a one-word field id or value (`proposed`, `normal`) only when written as
    code (a whole quoted string, in backticks, or an attribute), so prose may still use the English word."""

    def either(words: set[str]) -> str:
        return "|".join(sorted(map(re.escape, words), key=len, reverse=True))

    fields = _field_ids()
    compound = _pathway_ids() | {f for f in fields if "_" in f}
    words = {f for f in fields if "_" not in f}
    return [
        re.compile(rf"\b({either(compound)})\b"),
        re.compile(rf"(?<=[`'\"])({either(words)})(?=[`'\"])|(?<=\.)({either(words)})\b"),
    ]


def _offenders(root: Path = ROOT) -> dict[str, list[str]]:
    patterns = _id_patterns()
    found: dict[str, list[str]] = {}
    for folder in ("core", "app_pages"):
        for path in sorted((root / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            hits = {hit for pattern in patterns for groups in pattern.findall(text) for hit in _groups(groups) if hit}
            if hits:
                found[str(path.relative_to(root))] = sorted(hits)
    return found


def _groups(found: str | tuple[str, ...]) -> tuple[str, ...]:
    return found if isinstance(found, tuple) else (found,)


def test_the_id_scan_finds_a_planted_id(tmp_path):
    ids, fields = _pathway_ids(), _field_ids()
    assert PACK_ID in ids and "R7_failed_six_months" in ids and "mri_first" in ids
    assert "needs_information" not in ids and "weeks_conservative" not in ids
    assert {"weeks_conservative", "proposed", "cord_compression", "lumbar_stenosis_on_imaging"} <= fields
    assert not REGION_WORDS & fields
    (tmp_path / "core").mkdir()
    (tmp_path / "app_pages").mkdir()
    (tmp_path / "core" / "planted.py").write_text(
        'RULE = "R7_failed_six_months"\n'
        'weeks = values.get("weeks_conservative")\n'
        "listed = case.proposed\n"
        'normal = finding == "normal"  # `instability` is asked\n'
    )
    (tmp_path / "app_pages" / "clean.py").write_text(
        '"""Treatments proposed, a normal result, the region of a source."""\n'
        "where = statement.region\n"
        'text = f"{n} were also proposed"\n'
    )
    assert _offenders(tmp_path) == {
        "core/planted.py": ["R7_failed_six_months", "instability", "normal", "proposed", "weeks_conservative"]
    }


def test_no_pathway_id_appears_in_core_or_app_pages():
    assert _offenders() == {}
