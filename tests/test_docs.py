"""The docs as one current truth: every generated block matches what its command gives now (make docs)."""

from __future__ import annotations

import pytest

from redphone.commands import docs


def test_the_generated_blocks_match_their_commands():
    """The cheap blocks are recomputed (from the code, the record and the saved posterior); every spliced copy, the
    expensive blocks' too, equals its docs/generated file. On failure: make docs, and commit."""
    problems = docs.check([name for name, block in docs.BLOCKS.items() if block.cheap])
    assert problems == [], "\n".join(problems)


def test_every_block_is_shown_somewhere_and_generated():
    shown = set()
    for doc in docs.DOCS:
        shown |= set(docs.regions(doc.read_text()))
    assert shown == set(docs.BLOCKS), set(docs.BLOCKS) - shown
    for name in docs.BLOCKS:
        assert (docs.GENERATED / f"{name}.md").is_file(), f"docs/generated/{name}.md: run make docs"


def test_the_check_finds_a_stale_block(monkeypatch):
    """A change in the code that a block reports is caught: the check is not vacuous."""
    monkeypatch.setitem(docs.BLOCKS, "record", docs.Block(lambda: "| pattern | value |\n|---|---|\n| crises since 1990 | 8 |", True))
    problems = docs.check(["record"])
    assert any(p.startswith("record: docs/generated/record.md differs") for p in problems), problems
    assert any("validation.md holds another copy" in p for p in problems), problems


@pytest.mark.parametrize("stale", ["`institutions`;", "nobody is\nreached by Track-II", "every service at"])
def test_stale_statements_are_gone(stale):
    for doc in docs.DOCS:
        assert stale not in doc.read_text(), f"{doc.name}: {stale!r}"


def test_readme_lists_every_output_the_kernel_writes():
    from redphone.model import dyad

    readme = docs.regions((docs.DOCS[0]).read_text())["outputs"]
    assert "`established` (institution)" in readme and "`order`" in readme and "`precedent`" in readme  # Model v2's outputs
    for name in dyad.NEVER_IS_NAN:
        assert f"`{name}`" in readme
