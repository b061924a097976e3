"""The project's HTML page style, in one place: the stylesheet, the Jinja2 environment
(autoescaping every value) and the Content-Security-Policy of a self-contained page.

A page made here fetches nothing: its CSS and its one script are inline, and the CSP
meta tag allows exactly those (by their SHA-256 hashes) and nothing else, so a string
from a document that slipped past escaping could still not run or load anything.

Another command that writes HTML (for example a diff of two runs) gets the same look with
`render_page("its-template.html.j2", ...)`: a template in `bridge/report/templates/`
that `{% extends "base.html.j2" %}` and fills its `content` block.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape


def _asset(name: str) -> str:
    return (resources.files("bridge.report") / "static" / name).read_text("utf-8")


@cache
def stylesheet() -> str:
    """The page style (bridge/report/static/page.css)."""
    return _asset("page.css")


@cache
def script(name: str) -> str:
    """An inline script from bridge/report/static/."""
    return _asset(name)


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(css: str, js: str | None) -> str:
    """Nothing from anywhere, except this page's own inline style and script."""
    scripts = _hash(js) if js else "'none'"
    return (
        f"default-src 'none'; style-src {_hash(css)}; script-src {scripts}; "
        "img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _number(value: int) -> str:
    return f"{value:,}"


def _breakable(value: object) -> Markup:
    """The text escaped, with a line-break opportunity after each _ / . - (long ids and
    file names wrap at their word boundaries rather than anywhere)."""
    text = str(escape(value))
    for mark in "_/.-":
        text = text.replace(mark, mark + "<wbr>")
    return Markup(text)  # noqa: S704 - escaped on the line above; only <wbr> is added


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bridge.report", "templates"),
        # Every value is escaped unless the template says otherwise; templates never mark a
        # document's string safe.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["n"] = _number
    env.filters["breakable"] = _breakable
    return env


def page_context(js_name: str | None = None) -> dict[str, Any]:
    """What base.html.j2 needs: the style, the script and the CSP that allows just them."""
    css = stylesheet()
    js = script(js_name) if js_name else None
    return {
        "css": Markup(css),  # noqa: S704 - our own stylesheet, not a document's text
        "js": Markup(js) if js else None,  # noqa: S704 - our own script
        "csp": content_security_policy(css, js),
    }


def generate_page(template: str, js_name: str | None = None, **context: Any) -> Iterator[str]:  # noqa: ANN401 - a template's variables
    """The page, in chunks as the template produces them (for long pages)."""
    return environment().get_template(template).generate(**page_context(js_name), **context)


def render_page(template: str, js_name: str | None = None, **context: Any) -> str:  # noqa: ANN401 - a template's variables
    return "".join(generate_page(template, js_name, **context))
