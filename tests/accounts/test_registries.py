"""The synthetic registries: reproducible, consistent, and the HTTP adapter."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from eid.accounts.forms import age_on
from eid.accounts.ids import check_consistency, parse_id_number
from eid.accounts.phones import normalize_phone
from eid.accounts.registries.errors import RegistryUnavailable
from eid.accounts.registries.generator import TODAY, demo_citizen, generate
from eid.accounts.registries.http import http_registries


def test_the_nth_person_does_not_depend_on_the_count():
    a, b = generate(300), generate(900)
    assert a.people == b.people[:300]


def test_invariants_of_the_generated_population():
    pop = generate(1500)
    ids = [p.id_number for p in pop.people]
    assert len(set(ids)) == len(ids)
    for p in pop.people:
        idn = parse_id_number(p.id_number)
        assert check_consistency(idn, p.birth_date, p.sex), p
    assert all(normalize_phone(ln.phone) == ln.phone for ln in pop.lines)
    assert any(p.country == "IR" for p in pop.people)
    assert any(age_on(p.birth_date, TODAY) < 14 and p.father_id for p in pop.people)
    people = {p.id_number for p in pop.people}
    assert all(p.father_id in people for p in pop.people if p.father_id)
    assert all(c.legal_representative_id in people for c in pop.companies)


def test_demo_citizens_are_adults_with_their_own_line():
    for n in range(1, 51):
        d = demo_citizen(n)
        assert 18 <= age_on(d.person.birth_date, TODAY) <= 70
        assert d.person.country == "VN" and d.phone.startswith("+84")
    assert any(demo_citizen(n).children for n in range(1, 51))
    assert any(demo_citizen(n).companies for n in range(1, 51))
    with pytest.raises(ValueError):
        demo_citizen(51)


def test_seed_is_idempotent(app):
    from sqlalchemy import func, select

    from eid.models.registries import RegistryCitizen
    from eid.web.db import db

    runner = app.test_cli_runner()
    assert runner.invoke(args=["registry", "seed", "--count", "250"]).exit_code == 0
    assert runner.invoke(args=["registry", "seed", "--count", "250"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegistryCitizen)) == 250


def test_import_is_all_or_nothing(app, tmp_path):
    from sqlalchemy import func, select

    from eid.models.registries import RegistryCitizen
    from eid.web.db import db

    d = demo_citizen(1)
    good = json.dumps({"type": "citizen", **d.person.as_json()})
    bad = json.dumps({"type": "citizen", "id_number": "x"})
    f = tmp_path / "people.jsonl"
    f.write_text(good + "\n" + bad + "\n")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(RegistryCitizen))
    r = app.test_cli_runner().invoke(args=["registry", "import", str(f)])
    assert r.exit_code != 0 and "line 2" in r.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegistryCitizen)) == before


class _Registry(BaseHTTPRequestHandler):
    def do_GET(self):
        d = demo_citizen(1)
        routes = {f"/citizens/{d.person.id_number}": d.person.as_json(),
                  f"/subscribers/{d.phone.replace('+', '%2B')}": {"owner_id": d.person.id_number}}
        if self.path == "/boom":
            self.send_response(500)
            self.end_headers()
            return
        body = routes.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        if body:
            self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):  # type: ignore[no-untyped-def]
        pass


def test_http_adapter_against_a_local_registry():
    server = HTTPServer(("127.0.0.1", 0), _Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        reg = http_registries(f"http://127.0.0.1:{server.server_port}")
        d = demo_citizen(1)
        assert reg.population.get(d.person.id_number) == d.person
        assert reg.population.get("079199000001") is None
        assert reg.subscribers.owner_of(d.phone) == d.person.id_number
        dead = http_registries("http://127.0.0.1:9")
        with pytest.raises(RegistryUnavailable):
            dead.population.get(d.person.id_number)
    finally:
        server.shutdown()
        server.server_close()
