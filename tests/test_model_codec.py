"""Validated pages survive the cache's encoding exactly, and anything else is refused."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from evidencesite.cache.model_codec import decode_page, encode
from evidencesite.content.loader import find_content, read_document
from evidencesite.content.schema import validate_document
from evidencesite.errors import Diagnostics
from evidencesite.models import Page, Study, Work, replaced

ROOT = Path(__file__).resolve().parent.parent


def real_pages(site: Path) -> list[Page]:
    diagnostics = Diagnostics(site)
    content = find_content(site, diagnostics, read_document)
    pages = [validate_document(raw, diagnostics) for raw in content.documents]
    assert pages and all(page is not None for page in pages)
    return pages  # type: ignore[return-value]


@pytest.mark.parametrize("site", [ROOT, ROOT / "tests/fixtures/sites/sleep"], ids=["ketamine", "sleep"])
def test_every_real_page_round_trips_through_json(site: Path) -> None:
    for page in real_pages(site):
        data = json.loads(json.dumps(encode(page)))
        decoded = decode_page(data)
        assert decoded == page
        assert encode(decoded) == encode(page)  # also the fields equality leaves out (extra, digests)


def test_wrong_types_and_shapes_are_refused() -> None:
    page = next(p for p in real_pages(ROOT) if p.study is not None and isinstance(p.study.n, int))
    good = json.loads(json.dumps(encode(page)))
    fields = [name for name in Page.__dataclass_fields__]
    study = fields.index("study")
    year = 3  # Work: key, title, authors, year, ...
    bad_values = []
    for position, value in ((fields.index("body_line"), True), (fields.index("title"), 5), (fields.index("kind"), "x")):
        bad = json.loads(json.dumps(good))
        bad[position] = value
        bad_values.append(bad)
    shorter = good[:-1]
    longer = [*good, "extra"]
    wrong_year = json.loads(json.dumps(good))
    wrong_year[study][0][year] = "2019"
    not_a_list = {"title": "x"}
    for data in [*bad_values, shorter, longer, wrong_year, not_a_list, None, "page"]:
        with pytest.raises(ValueError):
            decode_page(data)


def test_a_union_field_keeps_its_type() -> None:
    """`n` is int | str | None: a number stays a number and a description stays text."""
    pages = [p for p in real_pages(ROOT) if p.study is not None]
    kinds = {type(p.study.n) for p in pages}  # type: ignore[union-attr]
    assert int in kinds
    for page in pages:
        assert type(decode_page(json.loads(json.dumps(encode(page)))).study.n) is type(page.study.n)  # type: ignore[union-attr]


def test_replaced_is_dataclasses_replace() -> None:
    """models.replaced copies without __init__: the same value as dataclasses.replace, on pages decoded or not."""
    page = next(p for p in real_pages(ROOT) if p.study is not None)
    assert page.study is not None
    for cls in (Work, Study, Page):  # what makes the copy valid: __init__ only stores the fields
        assert not hasattr(cls, "__post_init__")
        assert all(item.init for item in dataclasses.fields(cls))
    for original in (page, decode_page(json.loads(json.dumps(encode(page))))):
        assert original.study is not None
        work = replaced(original.study.work, year_suffix="b", label_initials=True)
        assert work == dataclasses.replace(original.study.work, year_suffix="b", label_initials=True)
        assert (work.year_suffix, work.label_initials) == ("b", True)
        assert (original.study.work.year_suffix, original.study.work.label_initials) == ("", False)
        copy = replaced(original, study=replaced(original.study, work=work))
        expected = dataclasses.replace(original, study=dataclasses.replace(original.study, work=work))
        assert copy == expected and encode(copy) == encode(expected)  # encode: also the digests equality leaves out
        assert type(copy) is Page and copy.study is not None and copy.study.work is work and original.study.work != work
        assert hash(copy.study.work) == hash(work)
    with pytest.raises(TypeError, match="Work has no field 'suffix'"):
        replaced(page.study.work, suffix="a")
