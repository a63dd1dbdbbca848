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


def test_the_docs_figures_are_copied_at_a_pages_size_and_a_missing_source_is_named(tmp_path):
    """make docs's --images: each PNG the docs show comes from figures/ at most IMAGE_WIDTH wide, in a palette; a figure
    whose source is missing is named and left as it was."""
    from PIL import Image

    figures, img = tmp_path / "figures", tmp_path / "img"
    figures.mkdir()
    img.mkdir()
    Image.new("RGBA", (3000, 900), (255, 255, 255, 255)).save(figures / "wide.png")
    Image.new("RGBA", (3000, 900), (0, 0, 0, 255)).save(img / "wide.png")  # the stale copy
    (img / "orphan.png").write_bytes(b"kept")
    assert docs.images(figures, img) == ["orphan.png"]
    with Image.open(img / "wide.png") as copy:
        assert copy.size == (docs.IMAGE_WIDTH, 420) and copy.mode == "P"
        assert copy.convert("RGB").getpixel((10, 10)) == (255, 255, 255)  # the new figure, not the stale one
    assert (img / "orphan.png").read_bytes() == b"kept"
    assert not list(img.glob(".*"))  # no temporary file left
