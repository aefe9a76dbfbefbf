"""The email body's small Markdown-like subset (after Notify's "Formatting" row): the template
source is split into blocks before any personalisation goes in, so a value can never add
headings, lists or HTML; each block then renders to HTML (values autoescaped) and to plain text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from jinja2 import Template
from markupsafe import Markup

# Notify's plain-text part draws rules 65 columns wide ("Formatting" row, COLUMN_WIDTH=65).
PLAIN_TEXT_RULE_WIDTH: Final = 65


_URL_PATTERN: Final = re.compile(r"https?://[^\s<>\"']+")


_URL_TRAILING_PUNCTUATION: Final = ".,;:!?)"


class BlockKind(StrEnum):
    HEADING = "heading"
    SUB_HEADING = "sub_heading"
    PARAGRAPH = "paragraph"
    BULLETS = "bullets"
    INSET = "inset"
    RULE = "rule"


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an email body; `items` holds one Jinja source per line of a bullet list."""

    kind: BlockKind
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledBlock:
    kind: BlockKind
    html: tuple[Template, ...]
    text: tuple[Template, ...]


def parse_blocks(source: str) -> list[Block]:
    """Split the email source into blocks at blank lines and classify each one."""
    chunks = [chunk.strip("\n") for chunk in re.split(r"\n[ \t]*\n", source.strip())]
    return [_classify(chunk) for chunk in chunks if chunk.strip()]


def _classify(chunk: str) -> Block:
    lines = [line.strip() for line in chunk.splitlines()]
    if chunk.strip() == "---":
        return Block(BlockKind.RULE, ())
    if len(lines) == 1 and lines[0].startswith("## "):
        return Block(BlockKind.SUB_HEADING, (lines[0][3:],))
    if len(lines) == 1 and lines[0].startswith("# "):
        return Block(BlockKind.HEADING, (lines[0][2:],))
    if all(line.startswith(("* ", "- ")) for line in lines):
        return Block(BlockKind.BULLETS, tuple(line[2:] for line in lines))
    if lines[0].startswith("^ "):
        return Block(BlockKind.INSET, ("\n".join([lines[0][2:], *lines[1:]]),))
    return Block(BlockKind.PARAGRAPH, ("\n".join(lines),))


_HTML_TAGS: Final[dict[BlockKind, Markup]] = {
    BlockKind.HEADING: Markup('<h1 style="font-size: 1.6em; margin: 0 0 0.6em;">{}</h1>'),
    BlockKind.SUB_HEADING: Markup('<h2 style="font-size: 1.3em; margin: 1em 0 0.5em;">{}</h2>'),
    BlockKind.PARAGRAPH: Markup('<p style="margin: 0 0 1em;">{}</p>'),
    BlockKind.INSET: Markup(
        '<blockquote style="border-left: 10px solid #b1b4b6; margin: 0 0 1em; '
        'padding: 0.5em 0 0.5em 1em;">{}</blockquote>'
    ),
}


def html_block(block: CompiledBlock, values: Mapping[str, object]) -> Markup:
    if block.kind is BlockKind.RULE:
        return Markup('<hr style="border: 0; border-top: 1px solid #b1b4b6; margin: 1.5em 0;">')
    rendered = [_html_inline(template.render(values)) for template in block.html]
    rendered = [item for item in rendered if item.strip()]
    if not rendered:
        return Markup("")
    if block.kind is BlockKind.BULLETS:
        items = Markup("").join(Markup("<li>{}</li>").format(item) for item in rendered)
        return Markup('<ul style="margin: 0 0 1em; padding-left: 1.5em;">{}</ul>').format(items)
    return _HTML_TAGS[block.kind].format(rendered[0])


def _html_inline(rendered: str) -> Markup:
    """Autoescaped Jinja output, with line breaks kept and bare links made clickable."""
    # `rendered` comes from an autoescaping environment: values are escaped, template text is ours,
    # and `_link` only wraps text that is already escaped.
    safe = rendered.strip().replace("\n", "<br>\n")
    return Markup(_URL_PATTERN.sub(_link, safe))  # noqa: S704


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    trailing = ""
    while url and url[-1] in _URL_TRAILING_PUNCTUATION:
        url, trailing = url[:-1], url[-1] + trailing
    return f'<a href="{url}" style="color: #1d70b8;">{url}</a>{trailing}'


def text_block(block: CompiledBlock, values: Mapping[str, object]) -> str:
    if block.kind is BlockKind.RULE:
        return "-" * PLAIN_TEXT_RULE_WIDTH
    rendered = [template.render(values).strip() for template in block.text]
    rendered = [item for item in rendered if item]
    if not rendered:
        return ""
    if block.kind is BlockKind.BULLETS:
        return "\n".join(f"\u2022 {item}" for item in rendered)
    if block.kind in (BlockKind.HEADING, BlockKind.SUB_HEADING):
        underline = "=" if block.kind is BlockKind.HEADING else "-"
        return f"{rendered[0]}\n{underline * len(rendered[0])}"
    return rendered[0]
