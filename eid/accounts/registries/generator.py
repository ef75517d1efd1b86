"""Reproducible synthetic registries (Faker vi_VN and fa_IR). No real person.

The sequence is generated in order and ``count`` only cuts it, so the N-th person
is the same whatever the count. People 1..50 are the *demo citizens*: Vietnamese
adults aged 18-70, each with a mobile line in their own name; every third has a
child under 14, every fourth leads a company. Their children follow them (from
index 51); then ordinary households, about one in ten Iranian (fa_IR).
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from faker import Faker

from eid.accounts.card_qr import format_card_qr
from eid.accounts.ids import PROVINCES, encode_cccd, ir_check_digit
from eid.accounts.registries.interfaces import Citizen, Company

DEMO_COUNT = 50
TODAY = date(2026, 11, 1)  # the reference day ages are computed from: stable data
VN_PREFIXES = ("32", "33", "34", "35", "36", "37", "38", "39", "70", "76", "77", "78", "79",
               "81", "82", "83", "84", "85", "86", "88", "89", "90", "91", "93", "94", "96",
               "97", "98")
OPERATORS = {"3": "Viettel", "8": "Viettel", "9": "MobiFone", "7": "MobiFone"}
MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân")
MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng", "Phương")
RELIGIONS = ("Không", "Không", "Không", "Phật giáo", "Công giáo")


@dataclass(frozen=True)
class Line:
    phone: str
    owner_id: str
    operator: str


@dataclass
class Population:
    people: list[Citizen] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    phone_of: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCitizen:
    index: int
    person: Citizen
    phone: str
    card_qr: str
    children: tuple[Citizen, ...]
    companies: tuple[Company, ...]


class _Gen:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.vi, self.fa = Faker("vi_VN"), Faker("fa_IR")
        self.pop = Population()
        self.used_ids: set[str] = set()

    def rng(self, salt: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + salt)

    def phone(self, index: int, r: random.Random, country: str) -> str:
        """A valid mobile number, unique per index (the tail is a bijection of it)."""
        import phonenumbers

        tail = (index * 7919 + 1_234_567) % 10_000_000
        prefixes = ("901", "912", "921", "935") if country == "IR" else VN_PREFIXES
        start = r.randrange(len(prefixes))
        for k in range(len(prefixes)):
            prefix = prefixes[(start + k) % len(prefixes)]
            number = f"+98{prefix}{tail:07d}" if country == "IR" else f"+84{prefix}{tail:07d}"
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                return number
        raise AssertionError(f"no valid prefix for {tail}")

    def vn_person(self, index: int, birth: date, sex: str, **kw: object) -> Citizen:
        r = self.rng(index)
        self.vi.seed_instance(self.seed * 7 + index)
        family = kw.pop("family", None) or self.vi.last_name()
        given = self.vi.first_name_male() if sex == "M" else self.vi.first_name_female()
        name = f"{family} {r.choice(MIDDLE_M if sex == 'M' else MIDDLE_F)} {given}"
        province = r.choice(sorted(PROVINCES))
        id_number = encode_cccd(province, sex, birth, (index * 104_729 + 17) % 1_000_000)
        while id_number in self.used_ids:
            id_number = id_number[:-6] + f"{(int(id_number[-6:]) + 1) % 1_000_000:06d}"
        self.used_ids.add(id_number)
        old = f"{r.randrange(10**8, 10**9)}" if birth.year < 1995 and index % 3 == 0 else None
        issue = max(birth + timedelta(days=14 * 366), date(2021, 1, 1) + timedelta(days=r.randrange(1500)))
        issue = min(issue, TODAY - timedelta(days=30))
        address = kw.pop("address", None) or self.vi.address().replace("\n", ", ")
        return Citizen(
            id_number=id_number, old_id_number=old, full_name=name, birth_date=birth, sex=sex,
            nationality="Việt Nam", ethnicity="Kinh" if r.random() < 0.86 else r.choice(
                ("Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng")),
            religion=r.choice(RELIGIONS), hometown=f"{self.vi.city()}, {PROVINCES[province]}",
            permanent_address=str(address), postal_code=str(kw.pop("postal", None) or self.vi.postcode()),
            issue_date=issue, expiry_date=_expiry(birth), father_id=kw.get("father_id"),  # type: ignore[arg-type]
            mother_id=kw.get("mother_id"), guardian_id=kw.get("guardian_id"),  # type: ignore[arg-type]
            spouse=kw.get("spouse"), country="VN",  # type: ignore[arg-type]
            email=self.vi.email() if r.random() < 0.4 else None)

    def ir_person(self, index: int, birth: date, sex: str) -> Citizen:
        r = self.rng(index)
        self.fa.seed_instance(self.seed * 11 + index)
        first9 = f"{r.randrange(1, 10)}{r.randrange(10**7, 10**8)}"
        code = first9 + str(ir_check_digit(first9))
        while code in self.used_ids or len(set(code)) == 1:
            first9 = f"{int(first9) + 1:09d}"
            code = first9 + str(ir_check_digit(first9))
        self.used_ids.add(code)
        name = self.fa.name_male() if sex == "M" else self.fa.name_female()
        return Citizen(
            id_number=code, old_id_number=None, full_name=name, birth_date=birth, sex=sex,
            nationality="ایران", ethnicity="", religion="", hometown=self.fa.city(),
            permanent_address=self.fa.address().replace("\n", "، "),
            postal_code=f"{r.randrange(10**9, 10**10)}", issue_date=None, expiry_date=None,
            father_id=None, mother_id=None, guardian_id=None, spouse=None, country="IR",
            email=self.fa.email() if r.random() < 0.5 else None)

    def add(self, p: Citizen, own_line: bool = True) -> None:
        self.pop.people.append(p)
        index = len(self.pop.people)
        if own_line and _age(p.birth_date) >= 14:
            phone = self.phone(index, self.rng(index + 500_000), p.country)
            op = "Irancell" if p.country == "IR" else OPERATORS.get(phone[3], "Vinaphone")
            self.pop.lines.append(Line(phone, p.id_number, op))
            self.pop.phone_of[p.id_number] = phone


def _age(birth: date) -> int:
    return TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))


def _expiry(birth: date) -> date | None:
    for age in (25, 40, 60):
        if _age(birth) < age - 2:
            return date(birth.year + age, birth.month, min(birth.day, 28))
    return None


def _birth(r: random.Random, lo: int, hi: int) -> date:
    return TODAY - timedelta(days=r.randrange(lo * 366, hi * 365))


@lru_cache(maxsize=4)
def _generate(count: int, seed: int) -> Population:
    g = _Gen(seed)
    demos: list[Citizen] = []
    for n in range(1, DEMO_COUNT + 1):
        r = g.rng(n)
        p = g.vn_person(n, _birth(r, 25 if n % 3 == 0 else 18, 70 if n % 3 else 45),
                        "M" if n % 2 else "F")
        g.add(p)
        demos.append(p)
    for n, parent in enumerate(demos, start=1):
        if n % 3 == 0:
            _children(g, parent, n)
    for i, parent in enumerate(demos, start=1):
        if i % 4 == 2:
            _company(g, parent)
    while len(g.pop.people) < count:
        _household(g)
    return g.pop


def _children(g: _Gen, parent: Citizen, n: int) -> None:
    r = g.rng(10_000 + n)
    ages = [(3, 12)] + ([(14, 17)] if n % 6 == 0 else [])
    for lo, hi in ages:
        idx = len(g.pop.people) + 1
        key = "father_id" if parent.sex == "M" else "mother_id"
        child = g.vn_person(idx, _birth(r, lo, hi), r.choice("MF"), family=parent.full_name.split()[0],
                            address=parent.permanent_address, postal=parent.postal_code,
                            **{key: parent.id_number})
        g.add(child, own_line=lo >= 14)


def _company(g: _Gen, rep: Citizen) -> None:
    r = g.rng(20_000 + len(g.pop.companies))
    g.vi.seed_instance(g.seed * 13 + len(g.pop.companies))
    cid = f"0{r.randrange(10**8, 10**9)}"
    g.pop.companies.append(Company(cid, f"Công ty TNHH {g.vi.last_name()} {g.vi.first_name_male()}",
                                   rep.id_number, g.vi.address().replace("\n", ", ")))


def _household(g: _Gen) -> None:
    idx = len(g.pop.people) + 1
    r = g.rng(idx)
    if r.random() < 0.1:
        g.add(g.ir_person(idx, _birth(r, 18, 80), r.choice("MF")))
        return
    father = g.vn_person(idx, _birth(r, 24, 80), "M")
    g.add(father)
    mother = g.vn_person(idx + 1, _birth(r, 22, 75), "F", address=father.permanent_address,
                         postal=father.postal_code, spouse=father.full_name)
    g.add(mother)
    g.pop.people[-2] = replace(father, spouse=mother.full_name)
    youngest_parent = min(_age(father.birth_date), _age(mother.birth_date))
    for _ in range(r.randrange(0, 3) if youngest_parent > 20 else 0):
        i = len(g.pop.people) + 1
        child = g.vn_person(i, _birth(r, 0, min(youngest_parent - 18, 40)), r.choice("MF"),
                            family=father.full_name.split()[0], address=father.permanent_address,
                            postal=father.postal_code, father_id=father.id_number,
                            mother_id=mother.id_number)
        g.add(child)
    if idx % 17 == 0 and _age(father.birth_date) > 30:  # a line in the father's name, used by the wife
        g.pop.lines.append(Line(g.phone(idx + 900_000, r, "VN"), father.id_number, "Vinaphone"))
    if idx % 29 == 0:
        _company(g, father)


def generate(count: int = 3000, seed: int = 2026) -> Population:
    """The first ``count`` people (at least the demo citizens and their children)."""
    full = _generate(max(count, 200), seed)
    people = full.people[:max(count, 200)]
    ids = {p.id_number for p in people}
    return Population(people, [ln for ln in full.lines if ln.owner_id in ids],
                      [c for c in full.companies if c.legal_representative_id in ids],
                      {k: v for k, v in full.phone_of.items() if k in ids})


def demo_citizen(n: int, seed: int = 2026) -> DemoCitizen:
    """Demo citizen ``n`` (1-based): an adult with a phone in their own name."""
    if not 1 <= n <= DEMO_COUNT:
        raise ValueError(f"demo citizens are numbered 1 to {DEMO_COUNT}")
    pop = _generate(200, seed)
    p = pop.people[n - 1]
    kids = tuple(c for c in pop.people if p.id_number in (c.father_id, c.mother_id, c.guardian_id))
    firms = tuple(c for c in pop.companies if c.legal_representative_id == p.id_number)
    return DemoCitizen(n, p, pop.phone_of[p.id_number], format_card_qr(p), kids, firms)


def iter_demo() -> Iterator[DemoCitizen]:
    return (demo_citizen(n) for n in range(1, DEMO_COUNT + 1))
