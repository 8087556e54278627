"""A query that locks rows (``select_for_update``) and joins a relation that may be empty
fails on PostgreSQL ("FOR UPDATE cannot be applied to the nullable side of an outer
join"), though SQLite, which ignores the lock, runs it. The PostgreSQL pass only catches
the paths a test happens to take; this reads every locking query in the service's code
and checks the whole kind: each joined relation is required, or the lock names the rows
it takes (``of=("self",)``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parent.parent
APPS = ("audits", "dscb", "recommendations", "reports")


def _chain(node: ast.expr) -> Iterator[ast.Call]:
    """The calls of a chained expression, outermost first: ``a.b().c()`` gives c(), b()."""
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            yield node
            node = node.func
        else:
            node = node.value


def _model_of(call: ast.Call) -> str | None:
    """``Model.objects.…``: the model's name."""
    node: ast.expr = call
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute) and node.attr == "objects" and isinstance(node.value, ast.Name):
            return node.value.id
        node = node.func if isinstance(node, ast.Call) else node.value
    return None


def locking_joins() -> Iterator[tuple[str, str, list[str]]]:
    """(where, model name, the relations it joins) for each locking query that joins
    and does not say which rows it locks."""
    seen = set()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                calls = {c.func.attr: c for c in _chain(node) if isinstance(c.func, ast.Attribute)}
                lock, joins = calls.get("select_for_update"), calls.get("select_related")
                if node.func.attr not in ("get", "first", "filter", "exists") or lock is None or joins is None:
                    continue
                if any(keyword.arg == "of" for keyword in lock.keywords):
                    continue
                if (path, lock.lineno, lock.col_offset) in seen:  # ``filter(…).first()``: one query, met twice
                    continue
                seen.add((path, lock.lineno, lock.col_offset))
                model = _model_of(node)
                assert model, f"{path.relative_to(ROOT)}:{node.lineno}: which model does this lock?"
                relations = [arg.value for arg in joins.args if isinstance(arg, ast.Constant)]
                yield f"{path.relative_to(ROOT)}:{node.lineno}", model, relations


def _nullable(model: type[models.Model], relation: str) -> str | None:
    for name in relation.split("__"):
        field = model._meta.get_field(name)
        if field.null:
            return f"{model.__name__}.{name}"
        model = field.related_model
    return None


def test_the_walk_finds_the_locking_queries_that_join():
    found = {where.split(":")[0] for where, _model, _joins in locking_joins()}
    assert {"audits/services.py", "reports/services.py"} <= found


@pytest.mark.parametrize(("where", "model", "relations"), list(locking_joins()))
def test_a_locking_query_joins_only_required_relations_or_names_its_rows(where, model, relations):
    [found] = [m for m in apps.get_models() if m.__name__ == model]
    nullable = [n for relation in relations if (n := _nullable(found, relation))]
    assert not nullable, f"{where}: locks {model} joining {nullable}, which may be empty: pass of=('self',)"
