"""Every GET route with generated path parameters and query strings, as every role: never a 500."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import ROLES, example_savepoint
from tests.fuzz.strategies import EXAMPLES, fuzz_settings, path_texts, scalars

PARAM = re.compile(r"<(?:([a-z]+):)?([a-z_]+)>")
QUERY_NAMES = ("page", "program", "next", "v", "confidence", "wave", "team", "unit", "compare", "metric", "period",
               "dimension", "shrink", "q", "from", "to", "department", "status", "owner", "goal", "source", "target")
DB_INTS = st.integers(0, 2**63 - 1)  # what a database can bind; larger ones are test_path_ints_beyond_64_bits


def get_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if "GET" in r.methods), key=lambda r: r.rule)


def int_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if "<int:" in r.rule), key=lambda r: r.rule)


def param_values(world, converter: str | None, name: str, ints: st.SearchStrategy[int]) -> st.SearchStrategy[str]:
    real = st.sampled_from(world.path_values(name)) if name != "filename" else st.just("tandem.css")
    if converter == "int":
        return st.one_of(real, ints).map(str)
    odd = path_texts().map(lambda t: quote(t, safe="") if converter != "path" else quote(t, safe="/"))
    return st.one_of(real.map(str), odd)


@st.composite
def urls(draw, rules, world, ints=DB_INTS):
    rule = draw(st.sampled_from(rules))
    path = PARAM.sub(lambda m: draw(param_values(world, m.group(1), m.group(2), ints)), rule.rule)
    query = draw(st.dictionaries(st.one_of(st.sampled_from(QUERY_NAMES), st.text(min_size=1, max_size=8)),
                                 scalars(world.hints()), max_size=3))
    return rule.endpoint, path, query


def check_gets(world, client, connection, db_session, strategy, role, examples):
    @fuzz_settings(examples)
    @given(url=strategy)
    def check(url):
        endpoint, path, query = url
        with example_savepoint(connection, db_session, client):
            response = client.get(path, query_string=query)
            assert response.status_code < 500, f"GET {path} {query} as {role} ({endpoint}): {response.status_code}"

    check()


def test_get_routes_as_hr_admin(app, world, role_client, connection, db_session):
    rules = get_rules(app)
    check_gets(world, role_client("hr_admin"), connection, db_session, urls(rules, world), "hr_admin",
               EXAMPLES * 4)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "hr_admin"], ids=lambda r: r or "anonymous")
def test_get_routes_as_other_roles(app, world, role_client, connection, db_session, role):
    check_gets(world, role_client(role), connection, db_session, urls(get_rules(app), world), role, EXAMPLES * 2)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_each_get_route_once_with_real_values(app, world, role_client, connection, db_session, role):
    """Every page with real path values answers below 500 for every role (a smoke pass of the map)."""
    client = role_client(role)
    for rule in get_rules(app):
        path = PARAM.sub(lambda m: str(world.path_values(m.group(2))[0]) if m.group(2) != "filename"
                         else "tandem.css", rule.rule)
        with example_savepoint(connection, db_session, client):
            assert client.get(path).status_code < 500, f"GET {path} as {role}"


@pytest.mark.parametrize("value", [2**63, 2**64, 10**30])
def test_path_ints_beyond_64_bits(app, world, role_client, connection, db_session, value):
    """Integers SQLite and PostgreSQL cannot bind: a 404 once the bounded converter lands."""
    client = role_client("hr_admin")
    failures = []
    for rule in int_rules(app):
        path = PARAM.sub(lambda m: str(value) if m.group(1) == "int" else str(world.path_values(m.group(2))[0]),
                         rule.rule)
        with example_savepoint(connection, db_session, client):
            method = client.get if "GET" in rule.methods else client.post
            if method(path).status_code >= 500:
                failures.append(path)
    assert not failures, failures
