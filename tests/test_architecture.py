"""Architecture rules, read from the code's imports with grimp.

grimp sees every import, at module level and inside functions, so a cycle cannot hide in a
function body. The rules are those of README "Architecture": no import circles inside
``archive`` and ``search``; ``archive.core`` is the floor and imports no other project app;
the media pipeline is a toolkit the domain uses, never the reverse.
"""

from __future__ import annotations

import grimp
import pytest

PROJECT = ("archive", "search", "media_pipeline")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PROJECT, cache_dir=None)


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def _describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    members = set(cycle)
    lines = []
    for importer in cycle:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            details = graph.get_import_details(importer=importer, imported=imported)
            where = ", ".join(str(d["line_number"]) for d in details)
            lines.append(f"  {importer} -> {imported} (line {where})")
    return "\n".join(lines)


def test_the_cycle_finder_finds_a_cycle():
    g = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        g.add_module(name)
    g.add_import(importer="pkg.a", imported="pkg.b")
    g.add_import(importer="pkg.b", imported="pkg.a")
    g.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(g, {"pkg.a", "pkg.b", "pkg.c"}) == [["pkg.a", "pkg.b"]]


def test_the_project_has_no_import_cycles(graph):
    modules = {m for m in graph.modules if m.split(".")[0] in PROJECT}
    cycles = _cycles(graph, modules)
    assert not cycles, "import cycles:\n" + "\n\n".join(_describe(graph, c) for c in cycles)


def test_core_is_the_floor(graph):
    """``archive.core`` (i18n, fields, the page cache, roles) imports no other project app."""
    core = {m for m in graph.modules if m == "archive.core" or m.startswith("archive.core.")}
    upward = sorted(
        f"{m} -> {imported}"
        for m in core
        for imported in graph.find_modules_directly_imported_by(m)
        if imported.split(".")[0] in PROJECT and imported not in core and imported != "archive"
    )
    assert not upward, "archive.core imports upward:\n" + "\n".join(upward)


def test_media_pipeline_imports_nothing_of_archive_or_search(graph):
    pipeline = {m for m in graph.modules if m.split(".")[0] == "media_pipeline"}
    wrong = sorted(
        f"{m} -> {imported}"
        for m in pipeline
        for imported in graph.find_modules_directly_imported_by(m)
        if imported.split(".")[0] in ("archive", "search")
    )
    assert not wrong, "media_pipeline imports the domain:\n" + "\n".join(wrong)
