"""Reading the HTML the service renders, for the checks every page must pass."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    method: str
    action: str
    # Names of the form's inputs, selects, textareas and buttons.
    fields: list[str] = field(default_factory=list)
    # The attributes of each of its submit buttons.
    buttons: list[dict[str, str | None]] = field(default_factory=list)
    # What a browser sends when the form is submitted as rendered, with its first button.
    data: list[tuple[str, str]] = field(default_factory=list)
    _button: tuple[str, str] | None = None

    def submission(self) -> dict[str, list[str]]:
        sent: dict[str, list[str]] = {}
        for name, value in [*self.data, *([self._button] if self._button else [])]:
            sent.setdefault(name, []).append(value)
        return sent


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.ids: Counter[str] = Counter()
        self._open_form: Form | None = None
        # The select or textarea being read: its name, whether it takes several values, and
        # its options as (value, selected), or its text.
        self._select: tuple[str, bool, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, bool] | None = None  # its value, whether it is selected
        self._option_text: list[str] = []
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids[attributes["id"]] += 1
        if tag == "form":
            self._open_form = Form(
                method=(attributes.get("method") or "get").lower(), action=attributes.get("action") or ""
            )
            self.forms.append(self._open_form)
        elif tag in ("input", "select", "textarea", "button") and self._open_form:
            if attributes.get("name"):
                self._open_form.fields.append(attributes["name"])
            if tag == "button" and attributes.get("type", "submit") == "submit":
                self._open_form.buttons.append(attributes)
            self._read_value(tag, attributes)
        elif tag == "option" and self._select:
            self._option = (attributes.get("value"), "selected" in attributes)
            self._option_text = []

    def _read_value(self, tag: str, attributes: dict[str, str | None]) -> None:
        form, name = self._open_form, attributes.get("name")
        if form is None or not name or "disabled" in attributes:
            return
        kind = (attributes.get("type") or ("submit" if tag == "button" else "text")).lower()
        if tag == "select":
            self._select = (name, "multiple" in attributes, [])
        elif tag == "textarea":
            self._textarea = (name, [])
        elif kind in ("submit", "image"):
            form._button = form._button or (name, attributes.get("value") or "")
        elif kind in ("checkbox", "radio"):
            if "checked" in attributes:
                form.data.append((name, attributes.get("value") or "on"))
        elif kind not in ("file", "reset", "button"):
            form.data.append((name, attributes.get("value") or ""))

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text.append(data)
        elif self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open_form = None
        elif tag == "option" and self._select and self._option is not None:
            value, selected = self._option
            self._select[2].append(("".join(self._option_text).strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select and self._open_form:
            name, multiple, options = self._select
            chosen = [value for value, selected in options if selected] or (
                [options[0][0]] if options and not multiple else []
            )
            self._open_form.data.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea and self._open_form:
            name, text = self._textarea
            # A browser drops the one newline that may follow <textarea>.
            self._open_form.data.append((name, "".join(text).removeprefix("\n")))
            self._textarea = None


@dataclass(frozen=True)
class Page:
    forms: list[Form]
    duplicate_ids: list[str]

    @property
    def post_forms(self) -> list[Form]:
        return [form for form in self.forms if form.method == "post"]


def read_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return Page(forms=parser.forms, duplicate_ids=sorted(i for i, n in parser.ids.items() if n > 1))
