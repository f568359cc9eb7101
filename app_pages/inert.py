"""Text a person or a file supplied (link parameters, upload contents, column names, evidence notes), made inert
before it enters markdown: Streamlit renders the body of st.error/st.warning/st.markdown as markdown, so an
unknown link parameter named `![x](http://host/t.png)` would otherwise fetch an image from that host, and
`[Log in](http://host)` would draw a phishing link inside our own error box.
"""

from collections.abc import Iterable

from core.errors import Problem
from core.outputs.markdown_text import inert_markdown

inert = inert_markdown


def problem_list(problems: Iterable[Problem | str]) -> str:
    """Problems as a markdown list whose every item is inert text."""
    return "\n".join(f"- {inert(p)}" for p in problems)
