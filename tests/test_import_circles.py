"""No import circles anywhere under eid/: not between files, and not between the
sub-packages of any package (the layers of docs/architecture.md point down only).
The graph is grimp's (import-linter's engine), function-level imports included."""
from __future__ import annotations

from collections import defaultdict

import grimp
import pytest

pytestmark = pytest.mark.xdist_group("lint")
# The composition root registers the phone API: the one import that points up a layer.
FACTORY_EDGES = {("eid.app", "eid.mobile_api.routes"), ("eid.app", "eid.mobile_api.openapi")}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("eid")


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def file_edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        edges[module] = {m for m in graph.find_modules_directly_imported_by(module)
                         if m.startswith("eid") and not module.startswith(m + ".")
                         and (module, m) not in FACTORY_EDGES}
    return edges


def test_circles_are_found_when_there_are_some():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_between_files(graph):
    assert circles(file_edges(graph)) == []


def test_no_import_circle_between_the_parts_of_any_package(graph):
    """Within each package, its direct children (modules and sub-packages) form a DAG."""
    edges = file_edges(graph)
    by_package: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for source, targets in edges.items():
        for target in targets:
            src, dst = source.split("."), target.split(".")
            common = 0
            while common < min(len(src), len(dst)) and src[common] == dst[common]:
                common += 1
            if common < len(src) and common < len(dst):
                package = ".".join(src[:common])
                by_package[package][src[common]].add(dst[common])
    found = {pkg: c for pkg, children in by_package.items() if (c := circles(dict(children)))}
    assert found == {}
