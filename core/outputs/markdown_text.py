"""Text from a person or a file placed into Markdown as text only (the Markdown report, the app's messages).

What could act is escaped, the rest left readable: `[`, `]` and `!` (links, images, Streamlit's `:red[...]`),
`<` as an entity (HTML tags, `<http://...>` autolinks), emphasis and strike marks (`*`, `~`, `_` at a word's
edge), `$` (math), `|` (tables), `#`, `\\`, and a `>`, `-`, `+` or `1.` that would open a quote or a list. Bare
URLs and e-mail addresses (`http://`, `www.`, `a@b.c`) are turned into links by GFM after escapes are resolved,
so a zero-width space goes inside them instead (invisible, and no link pattern matches). Line breaks fold to
spaces, so the text cannot start a block of its own. Backticks stay: a code span shows its content literally.
"""

import re

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
_ACTIVE = re.compile(
    r"[\\\[\]!*~$|#]"  # always
    r"|(?<!\w)_|_(?!\w)"  # emphasis needs an underscore at a word's edge; snake_case stays as it is
)
_BARE_LINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)  # http://, www.host, a@b.c
ZERO_WIDTH_SPACE = "\u200b"
_BLOCK_START = re.compile(r"^(\s*)([>+\-=]|\d+(?=[.)]))")


def inert_markdown(text: object) -> str:
    """The text, shown literally wherever Markdown is rendered."""
    flat = _LINE_BREAKS.sub(" ", str(text))
    escaped = _BARE_LINK.sub(ZERO_WIDTH_SPACE, _ACTIVE.sub(lambda m: "\\" + m[0], flat)).replace("<", "&lt;")
    return _BLOCK_START.sub(lambda m: m[1] + (m[2] + "\\" if m[2][0].isdigit() else "\\" + m[2]), escaped)
