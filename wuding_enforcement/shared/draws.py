"""Random draws anyone can verify: the 双随机 of 行政检查 (国办发〔2019〕5号, docs/domain.md §7) and any other
sample the bureau must not be able to steer (案卷评查). Pure Python (standard library only), no domain model:
this very file is the verification script the public downloads and runs (``python draws.py bundle.json``).

Never Python's ``random``: every choice is a ranking by SHA-256, so the same inputs give the same result on any
machine, and nobody can pick the inputs after seeing the result.

Algorithm ``wuding-draw-1`` (all text UTF-8, all hashes lowercase hex SHA-256):

1. Commitment, published before the draw. The bureau picks a random ``secret`` (hex) and freezes:

   - ``snapshot``: the 检查对象名录库 the draw is made from, one line per entity ``<统一社会信用代码> <风险等级>``,
     sorted by credit code, lines joined by ``\\n`` (no final newline);
   - ``exclusions``: one line per (entity, officer) pair that may not go together (回避: declared conflicts, and
     the officers of the entity's previous inspection, never twice in a row), ``<credit code> <officer key>``,
     sorted, joined by ``\\n``;
   - ``parameters``: a JSON object — ``proportions`` (percent of each risk class to draw, as decimal strings),
     ``officers_per_entity`` (at least 2), ``max_per_officer`` (or null), ``officers`` (the 执法检查人员名录库:
     officer keys, i.e. certificate numbers), ``public_source`` (which future public value will be used) and
     whatever else describes the draw;

   and publishes ``commitment = SHA-256(canonical JSON of {"algorithm", "secret_sha256", "snapshot_sha256",
   "exclusions_sha256", "parameters"})``, where canonical JSON means sorted keys, no spaces, non-ASCII kept.
   Only the hashes of the secret, snapshot and exclusions are published: the targets stay unknown.

2. Seed. After the commitment, a public value nobody knew when it was made (the source named in the
   parameters: a lottery result, the day's central parity rate ...) is entered, and
   ``seed = SHA-256(secret + "|" + public_value)``. The bureau cannot shop for a seed: the secret is committed
   before the public value exists, and the public value is outside its control.

3. Entities. ``rank(key) = SHA-256(seed + "|" + key)``. For each risk class, in sorted order, the class's
   entities are walked by ascending rank; the class quota is ``ceil(N × p / 100)`` (N entities of the class in
   the snapshot, p its percentage). An entity is taken when it can be paired (step 4), else it is recorded as
   unpaired and the walk goes on.

4. Officers. For an entity with credit code ``c``, the officers are walked by ascending
   ``rank(c + "|" + officer key)``; the first ``officers_per_entity`` officers that are not excluded for ``c``
   and have fewer than ``max_per_officer`` entities so far in this draw are its inspectors.

5. Replacements. An entity found deregistered after the draw is replaced by the same rule: the walk of its
   class goes on from where it stopped (the next ranked entity that can be paired), paired with the loads as
   they stand. The replacements are revealed in the order they were made.

After the inspections the bureau reveals the secret, the public value, the snapshot, the exclusions and the
replacements; anyone can then check every hash against the commitment and re-run steps 2–5 to get the same
pairs (``verify``).
"""

import hashlib
import json
import math
import sys
from dataclasses import dataclass, field
from fractions import Fraction

ALGORITHM = "wuding-draw-1"
MINIMUM_OFFICERS = 2  # 行政处罚法 第四十二条: every inspection by at least two officers


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def snapshot_text(entities) -> str:
    """The snapshot of the 名录库: (credit code, risk class) pairs, sorted by credit code, one per line."""
    return "\n".join(f"{code} {risk}" for code, risk in sorted(entities))


def parse_snapshot(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.split("\n"):
        if line.strip():
            code, risk = line.split(" ")
            rows.append((code, risk))
    return rows


def exclusions_text(pairs) -> str:
    """(credit code, officer key) pairs that may not go together, sorted, one per line, duplicates dropped."""
    return "\n".join(f"{code} {officer}" for code, officer in sorted(set(pairs)))


def parse_exclusions(text: str) -> set[tuple[str, str]]:
    found = set()
    for line in text.split("\n"):
        if line.strip():
            code, officer = line.split(" ")
            found.add((code, officer))
    return found


def commitment_of(
    *, secret_sha256: str, snapshot_sha256: str, exclusions_sha256: str, parameters: dict
) -> str:
    return sha256_hex(
        canonical_json(
            {
                "algorithm": ALGORITHM,
                "secret_sha256": secret_sha256,
                "snapshot_sha256": snapshot_sha256,
                "exclusions_sha256": exclusions_sha256,
                "parameters": parameters,
            }
        )
    )


def seed_from(secret: str, public_value: str) -> str:
    return sha256_hex(f"{secret}|{public_value.strip()}")


def rank(seed: str, key: str) -> str:
    return sha256_hex(f"{seed}|{key}")


def ranked(seed: str, keys) -> list[str]:
    """The keys in ascending rank (ties, which need a SHA-256 collision, broken by the key itself)."""
    return sorted(keys, key=lambda k: (rank(seed, k), k))


def sample(seed: str, keys, n: int) -> list[str]:
    """The n keys of lowest rank: a sample nobody can steer once the seed is fixed (e.g. 案卷评查)."""
    return ranked(seed, keys)[: max(0, n)]


def quota(count: int, percent) -> int:
    """ceil(count × percent / 100), exactly (percent given as a decimal string or number), at most count."""
    share = Fraction(str(percent)) * count / 100
    return min(count, math.ceil(share))


@dataclass
class Pick:
    code: str
    risk: str
    rank: str
    officers: list[str]
    replaces: str | None = None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "risk": self.risk,
            "rank": self.rank,
            "officers": list(self.officers),
            "replaces": self.replaces,
        }


@dataclass
class Result:
    picks: list[Pick] = field(default_factory=list)
    unpaired: list[str] = field(default_factory=list)
    quotas: dict = field(default_factory=dict)

    def pairs(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(p.code, tuple(p.officers)) for p in self.picks]

    def as_dict(self) -> dict:
        return {
            "picks": [p.as_dict() for p in self.picks],
            "unpaired": list(self.unpaired),
            "quotas": dict(self.quotas),
        }


class DrawError(ValueError):
    """The inputs do not allow the draw (a replaced entity that was never drawn, too few officers ...)."""


class Drawer:
    """Steps 3–5 of the algorithm over fixed inputs; `run()` then `replace()` as often as needed."""

    def __init__(self, *, seed: str, snapshot, exclusions, parameters: dict):
        self.seed = seed
        self.exclusions = set(exclusions)
        self.per_entity = int(parameters.get("officers_per_entity") or MINIMUM_OFFICERS)
        if self.per_entity < MINIMUM_OFFICERS:
            raise DrawError(f"每户至少须有 {MINIMUM_OFFICERS} 名执法人员。")
        limit = parameters.get("max_per_officer")
        self.max_per_officer = int(limit) if limit not in (None, "") else None
        self.officers = list(parameters.get("officers") or [])
        self.proportions = {str(k): v for k, v in (parameters.get("proportions") or {}).items()}
        self.by_class: dict[str, list[str]] = {}
        self.risk_of: dict[str, str] = {}
        for code, risk in snapshot:
            self.by_class.setdefault(risk, []).append(code)
            self.risk_of[code] = risk
        self.walks = {risk: ranked(seed, codes) for risk, codes in self.by_class.items()}
        self.cursor = dict.fromkeys(self.walks, 0)
        self.load = dict.fromkeys(self.officers, 0)
        self.result = Result()

    def _pair(self, code: str) -> list[str] | None:
        chosen = []
        for officer in ranked(self.seed, [f"{code}|{o}" for o in self.officers]):
            key = officer.split("|", 1)[1]
            if (code, key) in self.exclusions:
                continue
            if self.max_per_officer is not None and self.load[key] >= self.max_per_officer:
                continue
            chosen.append(key)
            if len(chosen) == self.per_entity:
                return chosen
        return None

    def _next(self, risk: str, replaces: str | None = None) -> Pick | None:
        walk = self.walks.get(risk, [])
        while self.cursor[risk] < len(walk):
            code = walk[self.cursor[risk]]
            self.cursor[risk] += 1
            officers = self._pair(code)
            if officers is None:
                self.result.unpaired.append(code)
                continue
            for key in officers:
                self.load[key] += 1
            pick = Pick(code, risk, rank(self.seed, code), officers, replaces)
            self.result.picks.append(pick)
            return pick
        return None

    def run(self) -> Result:
        for risk in sorted(self.walks):
            wanted = quota(len(self.walks[risk]), self.proportions.get(risk, 0))
            self.result.quotas[risk] = wanted
            for _ in range(wanted):
                if self._next(risk) is None:
                    break
        return self.result

    def replace(self, code: str) -> Pick | None:
        """The replacement of a drawn entity (found deregistered): the next one its class's walk can pair."""
        drawn = {p.code for p in self.result.picks}
        replaced = {p.replaces for p in self.result.picks if p.replaces}
        if code not in drawn or code in replaced:
            raise DrawError(f"{code} 不是本次抽取的、尚未被替换的检查对象。")
        return self._next(self.risk_of[code], replaces=code)


def draw(*, seed: str, snapshot, exclusions, parameters: dict, replacements=()) -> Result:
    """Steps 3–5 at once: the draw, then each replacement in the order it was made."""
    drawer = Drawer(seed=seed, snapshot=snapshot, exclusions=exclusions, parameters=parameters)
    drawer.run()
    for code in replacements:
        drawer.replace(code)
    return drawer.result


def verify(bundle: dict) -> tuple[list[str], Result | None]:
    """Check a revealed draw: every hash against the commitment, then re-run it and compare the pairs the
    bureau published. Returns (problems, re-run result); no problems means the draw is what was committed."""
    problems = []
    secret = bundle.get("secret") or ""
    snapshot = bundle.get("snapshot") or ""
    exclusions = bundle.get("exclusions") or ""
    parameters = bundle.get("parameters") or {}
    if bundle.get("algorithm", ALGORITHM) != ALGORITHM:
        problems.append(f"未知的算法：{bundle.get('algorithm')}")
        return problems, None
    checks = [
        ("secret_sha256", sha256_hex(secret), "密钥的哈希值"),
        ("snapshot_sha256", sha256_hex(snapshot), "名录库快照的哈希值"),
        ("exclusions_sha256", sha256_hex(exclusions), "回避名单的哈希值"),
    ]
    for name, actual, label in checks:
        if bundle.get(name) != actual:
            problems.append(f"{label}与公布的承诺不符。")
    expected = commitment_of(
        secret_sha256=sha256_hex(secret),
        snapshot_sha256=sha256_hex(snapshot),
        exclusions_sha256=sha256_hex(exclusions),
        parameters=parameters,
    )
    if bundle.get("commitment") != expected:
        problems.append("承诺值与密钥、快照、回避名单和抽取参数不符。")
    seed = seed_from(secret, bundle.get("public_value") or "")
    if bundle.get("seed") and bundle["seed"] != seed:
        problems.append("公布的种子不等于 SHA-256(密钥|公开随机值)。")
    try:
        result = draw(
            seed=seed,
            snapshot=parse_snapshot(snapshot),
            exclusions=parse_exclusions(exclusions),
            parameters=parameters,
            replacements=bundle.get("replacements") or [],
        )
    except (DrawError, KeyError, ValueError) as exc:
        problems.append(f"无法重新抽取：{exc}")
        return problems, None
    published = [(p["code"], tuple(p["officers"])) for p in bundle.get("picks") or []]
    if published != result.pairs():
        problems.append("重新抽取的检查对象和执法人员与公布的结果不一致。")
    return problems, result


def main(argv: list[str]) -> int:
    """python draws.py bundle.json — verify a revealed draw downloaded from the public site."""
    if len(argv) != 1:
        print("用法：python draws.py 抽取结果.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        bundle = json.load(handle)
    problems, result = verify(bundle)
    if result is not None:
        for pick in result.picks:
            note = f"（替换 {pick.replaces}）" if pick.replaces else ""
            print(f"{pick.code} {pick.risk}  {'、'.join(pick.officers)}{note}")
    if problems:
        for problem in problems:
            print(f"不一致：{problem}")
        return 1
    print(f"核验通过：承诺 {bundle.get('commitment')} 与公布的抽取结果一致。")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
