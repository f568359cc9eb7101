"""Text a person or a file supplied (link parameters, upload contents, column names, evidence notes), made inert
before it enters markdown: Streamlit renders the body of st.error/st.warning/st.markdown as markdown, so an
unknown link parameter named `![x](http://host/t.png)` would otherwise fetch an image from that host, and
`[Log in](http://host)` would draw a phishing link inside our own error box.
"""
import re
from collections.abc import Iterable

from core.errors import Problem

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all leaves no link,
# image, emphasis, code span, HTML tag, autolink, heading, list or Streamlit directive (`:red[...]`) to parse.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def inert(text: object) -> str:
    """The text shown literally inside markdown: punctuation escaped, line breaks folded to spaces."""
    return _PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))


def problem_list(problems: Iterable[Problem | str]) -> str:
    """Problems as a markdown list whose every item is inert text."""
    return "\n".join(f"- {inert(p)}" for p in problems)
