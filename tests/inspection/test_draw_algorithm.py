"""The draw algorithm (wuding_enforcement/shared/draws.py) on its own: deterministic, hash-ranked, fair to the
shares per risk class, honouring 回避 and the load limit, verifiable from the revealed inputs — by the very file
the public downloads, run as a plain script."""

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from wuding_enforcement.shared import draws

SCRIPT = Path(draws.__file__)
SNAPSHOT = [(f"CODE{n:03d}", "ABCD"[n % 4]) for n in range(40)]
OFFICERS = [f"5323{n:04d}" for n in range(6)]
PARAMETERS = {
    "proportions": {"A": "10", "B": "25", "C": "50", "D": "100"},
    "officers_per_entity": 2,
    "max_per_officer": None,
    "officers": OFFICERS,
    "public_source": "2026年5月12日福利彩票双色球开奖号码",
}


def bundle(secret="ab" * 32, public_value="03 07 12 19 25 31 + 09", exclusions=(), replacements=()):
    snapshot = draws.snapshot_text(SNAPSHOT)
    excluded = draws.exclusions_text(exclusions)
    hashes = {
        "secret_sha256": draws.sha256_hex(secret),
        "snapshot_sha256": draws.sha256_hex(snapshot),
        "exclusions_sha256": draws.sha256_hex(excluded),
    }
    seed = draws.seed_from(secret, public_value)
    result = draws.draw(
        seed=seed,
        snapshot=draws.parse_snapshot(snapshot),
        exclusions=draws.parse_exclusions(excluded),
        parameters=PARAMETERS,
        replacements=replacements,
    )
    return {
        "algorithm": draws.ALGORITHM,
        "commitment": draws.commitment_of(parameters=PARAMETERS, **hashes),
        **hashes,
        "parameters": PARAMETERS,
        "secret": secret,
        "public_value": public_value,
        "seed": seed,
        "snapshot": snapshot,
        "exclusions": excluded,
        "replacements": list(replacements),
        "picks": [{"code": p.code, "officers": p.officers, "replaces": p.replaces} for p in result.picks],
    }, result


def test_the_rank_is_the_documented_sha256_of_seed_and_key():
    assert draws.rank("s", "k") == hashlib.sha256(b"s|k").hexdigest()
    assert draws.seed_from("secret", " 42 ") == hashlib.sha256(b"secret|42").hexdigest()


def test_the_module_never_uses_pythons_random():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "random" not in imported and "secrets" not in imported
    assert imported <= {"hashlib", "json", "math", "sys", "dataclasses", "fractions"}  # standard library only


def test_the_same_inputs_give_the_same_pairs_and_another_public_value_others():
    _, first = bundle()
    _, again = bundle()
    _, other = bundle(public_value="04 08 13 20 26 32 + 10")
    assert first.pairs() == again.pairs()
    assert first.pairs() != other.pairs()


def test_each_class_gives_its_share_rounded_up():
    _, result = bundle()
    # 10 entities per class: 10% → 1, 25% → 3 (2.5 rounded up), 50% → 5, 100% → 10.
    assert result.quotas == {"A": 1, "B": 3, "C": 5, "D": 10}
    taken = {}
    for pick in result.picks:
        taken[pick.risk] = taken.get(pick.risk, 0) + 1
    assert taken == {"A": 1, "B": 3, "C": 5, "D": 10}
    assert draws.quota(7, "0") == 0 and draws.quota(7, "100") == 7 and draws.quota(3, "33.34") == 2


def test_within_a_class_the_lowest_ranks_are_taken():
    _, result = bundle()
    seed = draws.seed_from("ab" * 32, "03 07 12 19 25 31 + 09")
    class_b = [code for code, risk in SNAPSHOT if risk == "B"]
    expected = sorted(class_b, key=lambda c: draws.rank(seed, c))[:3]
    assert [p.code for p in result.picks if p.risk == "B"] == expected


def test_every_entity_gets_two_different_officers_and_never_an_excluded_one():
    _, plain = bundle()
    victim = plain.picks[0]
    excluded = {(victim.code, victim.officers[0]), (victim.code, victim.officers[1])}
    _, result = bundle(exclusions=excluded)
    for pick in result.picks:
        assert len(set(pick.officers)) == 2
        assert not any((pick.code, o) in excluded for o in pick.officers)
    assert set(next(p for p in result.picks if p.code == victim.code).officers).isdisjoint(victim.officers)


def test_an_entity_nobody_may_inspect_is_skipped_and_the_next_one_taken():
    _, plain = bundle()
    victim = next(p for p in plain.picks if p.risk == "A")
    excluded = {(victim.code, o) for o in OFFICERS[1:]}  # only one officer left for it
    _, result = bundle(exclusions=excluded)
    assert victim.code in result.unpaired
    assert [p.risk for p in result.picks].count("A") == 1
    assert victim.code not in [p.code for p in result.picks]


def test_the_load_limit_spreads_the_work():
    parameters = {**PARAMETERS, "max_per_officer": 3}
    seed = draws.seed_from("cd" * 32, "7.1234")
    result = draws.draw(seed=seed, snapshot=SNAPSHOT[:20], exclusions=set(), parameters=parameters)
    loads = {}
    for pick in result.picks:
        for officer in pick.officers:
            loads[officer] = loads.get(officer, 0) + 1
    assert max(loads.values()) <= 3
    # 6 officers × 3 = 18 places, 2 per entity: at most 9 entities could be paired.
    assert len(result.picks) == 9 and result.unpaired


def test_a_replacement_takes_the_next_ranked_entity_of_the_same_class():
    _, result = bundle()
    gone = next(p for p in result.picks if p.risk == "C")
    _, replaced = bundle(replacements=[gone.code])
    new = replaced.picks[-1]
    seed = draws.seed_from("ab" * 32, "03 07 12 19 25 31 + 09")
    class_c = sorted((c for c, r in SNAPSHOT if r == "C"), key=lambda c: draws.rank(seed, c))
    assert new.replaces == gone.code and new.risk == "C"
    assert new.code == class_c[5]  # the five drawn first, then the sixth
    assert replaced.picks[:-1] == result.picks  # nothing else moves
    with pytest.raises(draws.DrawError):
        draws.draw(
            seed=seed, snapshot=SNAPSHOT, exclusions=set(), parameters=PARAMETERS, replacements=["NOPE"]
        )


def test_verify_accepts_the_revealed_draw_and_catches_every_kind_of_tampering():
    revealed, _ = bundle(replacements=[])
    assert draws.verify(revealed)[0] == []
    cases = {
        "secret": {**revealed, "secret": "ff" * 32},
        "snapshot": {**revealed, "snapshot": revealed["snapshot"].replace("CODE001", "CODE999")},
        "exclusions": {**revealed, "exclusions": "CODE001 53230000"},
        "public value": {**revealed, "public_value": "another value"},
        "parameters": {**revealed, "parameters": {**PARAMETERS, "officers_per_entity": 3}},
        "pairs": {**revealed, "picks": list(reversed(revealed["picks"]))},
    }
    for name, forged in cases.items():
        problems, _ = draws.verify(forged)
        assert problems, f"tampering with the {name} went unnoticed"


def test_the_downloadable_script_verifies_a_bundle_on_its_own(tmp_path):
    revealed, _ = bundle(replacements=[])
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(revealed, ensure_ascii=False), encoding="utf-8")
    # Run as a plain file, outside the project: no Django, no package import.
    ok = subprocess.run(  # noqa: S603
        [sys.executable, "-I", str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "核验通过" in ok.stdout
    assert revealed["picks"][0]["code"] in ok.stdout
    path.write_text(json.dumps({**revealed, "public_value": "x"}, ensure_ascii=False), encoding="utf-8")
    bad = subprocess.run(  # noqa: S603
        [sys.executable, "-I", str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert bad.returncode == 1 and "不一致" in bad.stdout
