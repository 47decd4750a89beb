"""A Python-Markdown extension that renders checklist blocks as HTML forms.

A block starts with a line `::: checklist`, holds `key: value` options and
then task-list items, and ends with a line `:::`:

    ::: checklist
    id: network-audit
    title: Your networks
    counts: yes
    closeness: yes
    plan: yes
    items: networks

    - [ ] Family and extended family {#family}
    - [ ] Trade associations {#trade-bodies see=/posts/theory/#trade}
    :::

The block becomes a `<form>` that works (and prints) without JavaScript; the
plugin's ES module enhances it. A bad block is reported with its file and
line and left alone, so it renders as ordinary Markdown.

Blocks are found by a preprocessor, the only stage that still sees source
lines (so warnings can give a line number); it swaps each good block for a
placeholder line that a block processor turns into `etree` nodes.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markdown import util
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

logger = logging.getLogger(__name__)

OPENER = re.compile(r"^::: *checklist *$")
CLOSER = re.compile(r"^::: *$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
OPTION = re.compile(r"^(?P<key>[A-Za-z][\w-]*) *: *(?P<value>.*?) *$")
ITEM = re.compile(r"^[-*+] \[[ xX]\] +(?P<text>\S.*?) *$")
# A trailing `{#id}`, `{see=URL}` or `{#id see=URL}` on an item; URL holds
# no spaces but may hold braces (`{filename}/posts/x.md#part`).
ITEM_ATTRIBUTES = re.compile(
    r"\s\{(?P<attributes>(?:#[a-z0-9][a-z0-9-]*|see=\S+)"
    r"(?:\s+(?:#[a-z0-9][a-z0-9-]*|see=\S+))*)\}$"
)
CHECKLIST_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MARKUP = re.compile(r"<[A-Za-z/!]|&[#A-Za-z0-9]+;")
PLACEHOLDER = util.STX + "checklist:%d" + util.ETX
PLACEHOLDER_LINE = re.compile(
    "^" + re.escape(util.STX) + r"checklist:(\d+)" + re.escape(util.ETX) + "$"
)
AS_MARKDOWN = "rendering it as ordinary Markdown"
YES_NO = {"yes": True, "no": False, "true": True, "false": False}
KNOWN_OPTIONS = ("id", "title", "counts", "closeness", "plan", "items")
SAFE_SCHEMES = {"", "http", "https"}
# How well the reader knows people in a network: (value, label, tally words).
CLOSENESS_LEVELS = (
    ("acquaintance", "Acquaintances", "acquaintance|acquaintances"),
    ("regular", "Regular contacts", "regular contact|regular contacts"),
    ("close", "Close", "close|close"),
)
NOT_RATED = "Not rated"


class ChecklistError(ValueError):
    """A checklist block that cannot be rendered; the message says why."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


@dataclass
class ChecklistItem:
    """One task-list item: its stable id, its text and an optional link."""

    id: str
    text: str
    see: str | None = None
    line: int = 0


@dataclass
class Checklist:
    """A parsed checklist block."""

    id: str
    title: str
    counts: bool = False
    closeness: bool = False
    plan: bool = False
    items_name: str = "items"
    items: list[ChecklistItem] = field(default_factory=list)


def slugify(text: str) -> str:
    """An item id derived from its text: lower case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def _parse_options(lines: list[tuple[int, str]], opener_line: int) -> dict:
    """The block's options as a dict; raises ChecklistError on a bad one."""
    options = {}
    for number, line in lines:
        match = OPTION.match(line)
        if not match:
            raise ChecklistError(f"{line!r} is neither an option nor an item", number)
        key, value = match["key"].lower(), match["value"]
        if key not in KNOWN_OPTIONS:
            raise ChecklistError(
                f"unknown option {key!r} (known: {', '.join(KNOWN_OPTIONS)})",
                number,
            )
        if key in ("counts", "closeness", "plan"):
            if value.lower() not in YES_NO:
                raise ChecklistError(f"option {key} must be yes or no", number)
            value = YES_NO[value.lower()]
        elif key == "id" and not CHECKLIST_ID.match(value):
            raise ChecklistError(
                f"id {value!r} must be lower-case letters, digits and hyphens",
                number,
            )
        options[key] = value
    if "id" not in options:
        raise ChecklistError("the block has no id option", opener_line)
    return options


def _parse_item(number: int, text: str, seen: dict[str, int]) -> ChecklistItem:
    """One item from its text; raises ChecklistError on a bad or duplicate id."""
    item_id, see = None, None
    match = ITEM_ATTRIBUTES.search(text)
    if match:
        text = text[: match.start()].rstrip()
        for attribute in match["attributes"].split():
            if attribute.startswith("#"):
                item_id = attribute[1:]
            else:
                see = attribute[len("see=") :]
        if see is not None and urlsplit(see).scheme.lower() not in SAFE_SCHEMES:
            raise ChecklistError(f"link {see!r} has an unsafe scheme", number)
    item_id = item_id or slugify(text)
    if item_id in seen:
        raise ChecklistError(
            f"duplicate item id {item_id!r} (also on line {seen[item_id]})",
            number,
        )
    seen[item_id] = number
    return ChecklistItem(item_id, text, see, number)


def parse_block(lines: list[tuple[int, str]], opener_line: int) -> Checklist:
    """A Checklist from the numbered lines between opener and closer.

    Raises ChecklistError for anything the author should fix.
    """
    option_lines, item_lines = [], []
    for number, line in lines:
        if not line.strip():
            continue
        if ITEM.match(line):
            item_lines.append((number, ITEM.match(line)["text"]))
        elif item_lines and line.startswith((" ", "\t")):
            # An indented line continues the item above it.
            last_number, last_text = item_lines[-1]
            item_lines[-1] = (last_number, last_text + " " + line.strip())
        elif item_lines:
            raise ChecklistError(f"{line!r} is not a task-list item", number)
        else:
            option_lines.append((number, line))
    options = _parse_options(option_lines, opener_line)
    if not item_lines:
        raise ChecklistError("the block has no task-list items", opener_line)
    seen: dict[str, int] = {}
    items = [_parse_item(number, text, seen) for number, text in item_lines]
    return Checklist(
        id=options["id"],
        title=options.get("title", "Checklist"),
        counts=options.get("counts", False),
        closeness=options.get("closeness", False),
        plan=options.get("plan", False),
        items_name=options.get("items", "items"),
        items=items,
    )


class ChecklistPreprocessor(Preprocessor):
    """Finds checklist blocks, parses them and leaves a placeholder line."""

    def __init__(self, md, extension: ChecklistExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        # Runs once per document: forget the last document's checklists.
        self.extension.reset()
        output: list[str] = []
        fence = None
        index = 0
        while index < len(lines):
            line = lines[index]
            fence_match = FENCE.match(line)
            if fence_match and (fence is None or fence_match[1].startswith(fence)):
                # Entering or leaving a code fence: its content is not ours.
                fence = fence_match[1] if fence is None else None
            if fence is not None or not OPENER.match(line):
                output.append(line)
                index += 1
                continue
            end = self._closer_index(lines, index)
            if end is None:
                self.extension.warn("the checklist block is never closed", index + 1)
                output.append(line)
                index += 1
                continue
            block = [(number + 1, lines[number]) for number in range(index + 1, end)]
            checklist = self._parse(block, index + 1)
            if checklist is None:
                # Ordinary Markdown, but the block's text stays plain text:
                # markup in it is shown as typed, as it would be in the form.
                output.extend(
                    line.replace("<", "&lt;") for line in lines[index : end + 1]
                )
            else:
                self.extension.checklists.append(checklist)
                placeholder = PLACEHOLDER % (len(self.extension.checklists) - 1)
                output.extend(["", placeholder, ""])
            index = end + 1
        return output

    @staticmethod
    def _closer_index(lines: list[str], opener: int) -> int | None:
        """The index of the line closing the block opened at `opener`."""
        for index in range(opener + 1, len(lines)):
            if CLOSER.match(lines[index]):
                return index
            if OPENER.match(lines[index]):
                return None  # a new block opens before this one closed
        return None

    def _parse(self, block, opener_line: int) -> Checklist | None:
        """The parsed block, or None after a warning naming the line."""
        try:
            checklist = parse_block(block, opener_line)
        except ChecklistError as error:
            self.extension.warn(str(error), error.line)
            return None
        if any(known.id == checklist.id for known in self.extension.checklists):
            self.extension.warn(
                f"checklist id {checklist.id!r} is used twice in this file",
                opener_line,
            )
            return None
        if MARKUP.search(checklist.title):
            self.extension.warn(
                f"title {checklist.title!r} holds markup",
                opener_line,
                outcome="showing it as plain text",
            )
        for item in checklist.items:
            if MARKUP.search(item.text):
                self.extension.warn(
                    f"item {item.text!r} holds markup",
                    item.line,
                    outcome="showing it as plain text",
                )
        return checklist


class ChecklistBlockProcessor(BlockProcessor):
    """Turns a placeholder line back into the checklist's form."""

    def __init__(self, parser, extension: ChecklistExtension):
        super().__init__(parser)
        self.extension = extension

    def test(self, parent, block) -> bool:
        return bool(PLACEHOLDER_LINE.match(block.strip()))

    def run(self, parent, blocks) -> None:
        number = int(PLACEHOLDER_LINE.match(blocks.pop(0).strip())[1])
        render_checklist(parent, self.extension.checklists[number])


def _text(text: str) -> str:
    """Text that inline patterns leave alone, so markup in it is escaped."""
    return util.AtomicString(text)


def _sub(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
    """A child element with optional plain text and attributes."""
    names = {key: key.rstrip("_").replace("_", "-") for key in attributes}
    element = ET.SubElement(
        parent, tag, {names[key]: value for key, value in attributes.items()}
    )
    if text is not None:
        element.text = _text(text)
    return element


def _hidden_suffix(parent, text: str) -> None:
    """Appends the item's text for screen readers only (distinct field names)."""
    _sub(parent, "span", ": " + text, class_="visually-hidden")


def render_checklist(parent, checklist: Checklist) -> ET.Element:
    """Builds the checklist's form under `parent` and returns it."""
    form = _sub(
        parent,
        "form",
        class_="checklist",
        id="checklist-" + checklist.id,
        data_checklist=checklist.id,
        data_items=checklist.items_name,
    )
    fieldset = _sub(form, "fieldset")
    _sub(fieldset, "legend", checklist.title)
    _sub(
        fieldset,
        "p",
        "Your answers stay in this browser: nothing you enter here is sent anywhere.",
        class_="checklist-privacy",
    )
    items = _sub(fieldset, "ol", class_="checklist-items")
    for item in checklist.items:
        _render_item(items, item, checklist)
    _render_tools(fieldset, checklist)
    # Answers are never sent. A disabled default (first submit) button stops
    # Enter in a lone text field from submitting the form (HTML's implicit
    # submission), without JavaScript too; the script cancels submit events.
    _sub(form, "button", "Submit", type="submit", disabled="disabled", hidden="hidden")
    return form


def _render_item(parent, item: ChecklistItem, checklist: Checklist) -> None:
    """One item: its checkbox and text in one label, then its fields."""
    row = _sub(parent, "li", class_="checklist-item", data_item=item.id)
    tick = _sub(row, "label", class_="checklist-tick")
    box = _sub(tick, "input", type="checkbox", name=item.id + "-done")
    box.tail = _text(" " + item.text)
    if checklist.counts:
        count = _sub(row, "label", "How many people", class_="checklist-count")
        _hidden_suffix(count, item.text)
        _sub(
            count,
            "input",
            type="number",
            name=item.id + "-count",
            min="0",
            max="100000",
            step="1",
            inputmode="numeric",
        )
    if checklist.closeness:
        closeness = _sub(row, "label", "How well", class_="checklist-closeness")
        _hidden_suffix(closeness, item.text)
        select = _sub(closeness, "select", name=item.id + "-closeness")
        _sub(select, "option", "Not set", value="")
        for value, label, tally in CLOSENESS_LEVELS:
            _sub(select, "option", label, value=value, data_tally=tally)
    if checklist.plan:
        step = _sub(row, "label", "Next step", class_="checklist-step")
        _hidden_suffix(step, item.text)
        _sub(step, "input", type="text", name=item.id + "-step", maxlength="200")
        due = _sub(row, "label", "Follow up on", class_="checklist-due")
        _hidden_suffix(due, item.text)
        _sub(due, "input", type="date", name=item.id + "-due")
    if item.see:
        link = _sub(row, "a", "Read more", class_="checklist-see", href=item.see)
        _hidden_suffix(link, item.text)


def _render_tools(parent, checklist: Checklist) -> None:
    """Progress, messages and buttons: hidden until the script shows them."""
    tools = _sub(parent, "div", class_="checklist-tools", hidden="hidden")
    _sub(
        tools,
        "progress",
        class_="checklist-bar",
        max=str(len(checklist.items)),
        value="0",
        aria_label=checklist.items_name.capitalize() + " reviewed",
    )
    _sub(tools, "p", "", class_="checklist-progress", role="status")
    _sub(tools, "p", "", class_="checklist-message", role="status")
    picture = checklist.plan and checklist.counts
    if picture:
        _render_picture(tools, checklist)
    buttons = _sub(tools, "p", class_="checklist-buttons")
    actions = []
    if picture:
        actions.append(("snapshot", "Save this audit"))
    if checklist.plan:
        actions.append(("reminders", "Download reminders (.ics)"))
    for action, label in (
        *actions,
        ("export-json", "Export answers (JSON)"),
        ("export-text", "Export summary (Markdown)"),
        ("print", "Print"),
        ("reset", "Reset"),
    ):
        _sub(buttons, "button", label, type="button", data_action=action)
    upload = _sub(buttons, "label", "Import answers ", class_="checklist-import")
    _sub(upload, "input", type="file", accept=".json,application/json")


def _render_picture(parent, checklist: Checklist) -> None:
    """Where the script draws the chart, its table and the saved audits."""
    figure = _sub(parent, "figure", class_="checklist-chart")
    _sub(figure, "figcaption", "Your network at a glance")
    _sub(
        figure,
        "p",
        "Note how many people you know in a network to see it here.",
        class_="checklist-empty",
    )
    picture = _sub(figure, "div", class_="checklist-picture", hidden="hidden")
    # The script draws the bars and names the chart from the answers.
    _sub(picture, "svg", "", role="img", aria_label="Chart of your answers")
    if checklist.closeness:
        legend = _sub(picture, "ul", class_="checklist-legend")
        for value, label, _tally in (*reversed(CLOSENESS_LEVELS), ("", NOT_RATED, "")):
            swatch = _sub(
                _sub(legend, "li"),
                "span",
                "",
                class_="checklist-level-" + (value or "none"),
            )
            swatch.tail = _text(label)
    # The same figures for screen readers and print; the script fills the
    # rows. A table cannot be made smaller than its cells: a box around it can.
    table = _sub(_sub(picture, "div", class_="checklist-figures"), "table")
    _sub(table, "caption", "People in each of your " + checklist.items_name)
    header = _sub(_sub(table, "thead"), "tr")
    columns = ["People"]
    if checklist.closeness:
        columns = [label for _value, label, _tally in reversed(CLOSENESS_LEVELS)]
        columns += [NOT_RATED, "All"]
    for column in [checklist.items_name.capitalize(), *columns]:
        _sub(header, "th", column, scope="col")
    _sub(table, "tbody", "")
    saved = _sub(parent, "div", class_="checklist-saved", hidden="hidden")
    _sub(saved, "p", "Saved audits", id="checklist-" + checklist.id + "-saved")
    _sub(
        saved,
        "ol",
        "",
        class_="checklist-history",
        aria_labelledby="checklist-" + checklist.id + "-saved",
    )


class ChecklistExtension(Extension):
    """Renders `::: checklist` blocks; warns about bad ones with file and line."""

    def __init__(self, **kwargs):
        self.config = {
            "source_path": [
                "",
                "The file named in warnings (Pelican's reader sets it).",
            ],
        }
        super().__init__(**kwargs)
        self.checklists: list[Checklist] = []

    def extendMarkdown(self, md) -> None:
        md.registerExtension(self)
        # After whitespace normalising (30), before meta (27) removes the
        # header lines, so line numbers are the file's own.
        md.preprocessors.register(ChecklistPreprocessor(md, self), "checklist", 28)
        md.parser.blockprocessors.register(
            ChecklistBlockProcessor(md.parser, self), "checklist", 105
        )

    def reset(self) -> None:
        """Forget the checklists of the previous document."""
        self.checklists = []

    @property
    def checklist_ids(self) -> list[str]:
        """The ids of the checklists in the last converted document."""
        return [checklist.id for checklist in self.checklists]

    def warn(
        self,
        problem: str,
        line: int,
        outcome: str = "rendering it as ordinary Markdown",
    ) -> None:
        """Logs a warning naming the file and line, and what happens instead.

        No `limit_msg`: each message names its own file and line, so none
        repeats, and a count shared by every build in the process would
        silence the problems of later builds.
        """
        logger.warning(
            "Checklist in %s, line %d: %s; %s",
            self.getConfig("source_path") or "<markdown>",
            line,
            problem,
            outcome,
        )


def makeExtension(**kwargs) -> ChecklistExtension:
    """Python-Markdown's entry point: `markdown(text, extensions=[...])`."""
    return ChecklistExtension(**kwargs)
