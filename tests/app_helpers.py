"""Helpers for the AppTest suites: start the app, enter a case in the form, read what the page shows."""

import html
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Element

from app import page_script
from app_pages.first_view import REST_PENDING_KEY
from core.engine.case import CASE_FIELDS, DEFAULT_SCHEMA, parse_case
from core.engine.case_params import form_value, is_scale, read_case_params
from core.engine.case_text import case_to_text

BOOL_FIELDS = DEFAULT_SCHEMA.bool_fields  # the default pack's yes/no fields

APP = Path(__file__).resolve().parent.parent / "app.py"
PATIENT_PREFIX = "patient_"
APP_TIMEOUT = 30  # seconds; generous because other engineers share the two cores
BADGE_ID = re.compile(r'class="disposition".*?<code[^>]*>([a-z_]+)</code>', re.S)


def start_app(query: Mapping[str, Any] | None = None, page: str | None = None) -> AppTest:
    """The app as a browser opens it: at the page whose URL path is `page` (default: the root, which forwards to
    Patient) with a query."""
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.query_params.update(query or {})
    if page is not None:
        at.switch_page(page_script(page))
    at.run()
    if REST_PENDING_KEY in at.session_state and at.session_state[REST_PENDING_KEY]:
        at.run()  # the rerun the browser asks for once a first view is on screen (AppTest has no timer)
    return at


def enter_case(at: AppTest, case: Mapping[str, Any], prefix: str = PATIENT_PREFIX) -> AppTest:
    """Set every field of the form as a clinician would (unknown fields to `not assessed`), then rerun once."""
    text = case_to_text(parse_case(case))
    for field in CASE_FIELDS:
        value, key = form_value(field, text), prefix + field
        d = DEFAULT_SCHEMA.defs[field]
        if d.kind == "bool" or is_scale(d):
            at.segmented_control(key=key).set_value(value)
        elif d.kind == "choice":
            at.radio(key=key).set_value(value)
        elif d.kind == "int":
            at.number_input(key=key).set_value(value)
        elif d.kind == "list":
            at.pills(key=key).set_value(value)
        else:
            at.text_input(key=key).set_value(value)
    return at.run()


def html_blocks(at: AppTest | Block) -> list[str]:
    """Every block of HTML the page (or one of its containers) shows (st.html, or markdown carrying HTML), top to
    bottom."""

    def walk(block: Block) -> Iterator[str]:
        for child in block.children.values():
            if isinstance(child, Block):
                yield from walk(child)
            elif child.type in ("html", "markdown") and isinstance(getattr(child, "value", None), str):
                yield child.value

    return list(walk(at.main if isinstance(at, AppTest) else at))


def dispositions_shown(at: AppTest) -> list[str]:
    """The disposition ids of every disposition label on the page, top to bottom."""
    return [m for block in html_blocks(at) for m in BADGE_ID.findall(block)]


ROW = re.compile(r'<tr( class="highlight")?[^>]*>(.*?)</tr>', re.S)
CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)


def html_tables(at: AppTest) -> list[list[dict[str, Any]]]:
    """Every HTML table the page shows, as rows of {column: text, "highlighted": bool}."""
    tables = []
    for block in html_blocks(at):
        if not block.startswith("<table"):
            continue
        rows = [
            (bool(mark), [html.unescape(c.replace("<wbr>", "")) for c in CELL.findall(body)])
            for mark, body in ROW.findall(block)
        ]
        header = rows[0][1]
        tables.append([{**dict(zip(header, cells, strict=False)), "highlighted": mark} for mark, cells in rows[1:]])
    return tables


def url_case(at: AppTest, other_params: tuple[str, ...] = ()) -> dict[str, Any]:
    """The case the page's URL holds, in canonical text (AppTest gives one value as str, several as a list)."""
    text, problems = read_case_params(at.query_params, other_params)
    assert problems == [], problems
    return text


def texts(elements: Iterator[Element] | Any) -> list[str]:
    return [e.value for e in elements]


def block_holding(at: AppTest, key: str) -> Block:
    """The innermost block (container) that directly holds the widget with this key."""

    def walk(block: Block) -> Block | None:
        for child in block.children.values():
            if isinstance(child, Block):
                found = walk(child)
                if found is not None:
                    return found
            elif getattr(child, "key", None) == key:
                return block
        return None

    found = walk(at.main)
    assert found is not None, f"no widget with key {key!r} on the page"
    return found
