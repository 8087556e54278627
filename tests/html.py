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


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.ids: Counter[str] = Counter()
        self._open_form: Form | None = None

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

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open_form = None


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
