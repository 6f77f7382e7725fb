"""Every table in every template sits in its own labelled, focusable scroll region, so that no
page scrolls sideways at 320 px (the browser test checks the resident's pages; this checks every
template, including pages that test cannot reach)."""

from __future__ import annotations

import re
from pathlib import Path

import opus

WRAPPER = re.compile(
    r'<div class="opus-table-scroll" role="region" tabindex="0" aria-label="[^"]+"[^>]*>\s*'
    r"(?:\{%[^%]*%\}\s*)*<table"
)


def test_every_table_is_in_a_labelled_scroll_region():
    root = Path(opus.__file__).parent
    bare = []
    for template in sorted(root.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        tables, wrapped = text.count("<table"), len(WRAPPER.findall(text))
        if tables > wrapped:
            bare.append(f"{template.relative_to(root)}: {tables - wrapped} of {tables}")
    assert bare == []
