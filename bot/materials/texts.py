"""Every word a user reads comes from ``content/locales/<lang>/``; this module only picks and
renders.

Messages are Jinja2 templates (``*.html.j2``, Telegram HTML, autoescaped). Short strings such as
button labels and command descriptions are tiny Jinja2 templates in ``labels.yaml`` (plain text,
not escaped: Telegram shows button text literally). A missing language or template falls back to
English, so adding a language is adding files.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, meta

from bot import yaml_files
from bot.materials import locale_format
from bot.materials.catalogue import CONTENT_DIR
from bot.rules.language import Choice, pick

LOCALES_DIR = CONTENT_DIR / "locales"
FALLBACK = "en"
DRAFT = "DRAFT"


def _flatten(prefix: str, data: object, out: dict[str, str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):  # YAML reads a bare yes/no/on/off key as a boolean
                raise ValueError(f"labels.yaml: key {key!r} under '{prefix}' must be quoted")
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    elif isinstance(data, str):
        out[prefix] = data
    else:
        raise ValueError(f"labels.yaml: '{prefix}' must be text or a group of labels")


class Texts:
    """Renders messages and labels in the reader's language."""

    def __init__(self, root: Path = LOCALES_DIR) -> None:
        self.root = root
        folders = frozenset(p.name for p in root.iterdir() if p.is_dir())
        # a folder with a DRAFT file is a translation under way: checked, never offered
        self.drafts = frozenset(code for code in folders if (root / code / DRAFT).exists())
        self.languages = folders - self.drafts
        self._html = Environment(
            loader=FileSystemLoader(str(root)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # content ships with the code: no stat of the file per message
        )
        self._plain = Environment(autoescape=False, undefined=StrictUndefined)
        # dates in the reader's language: {{ d|when("MMMd", lang) }}
        for env in (self._html, self._plain):
            env.filters.update(when=locale_format.when, full_day=locale_format.full_day,
                               day_and_time=locale_format.day_and_time)
            env.globals.update(weekday_name=locale_format.weekday_name)
        self._labels: dict[str, dict[str, str]] = {}
        for lang in folders:
            labels: dict[str, str] = {}
            path = root / lang / "labels.yaml"
            if path.exists():
                _flatten("", yaml_files.read(path) or {}, labels)
            self._labels[lang] = labels

    def language(self, language_code: str | None, chosen: str | None = None) -> str:
        """The language we speak to someone who chose ``chosen`` or whose Telegram says
        ``language_code`` (``bot.rules.language``: Chinese scripts are told apart)."""
        return self.choice(language_code, chosen).lang

    def choice(self, language_code: str | None, chosen: str | None = None) -> Choice:
        """As :meth:`language`, with the language asked for when we do not have it yet."""
        return pick(chosen=chosen, telegram=language_code, available=self.languages)

    def placeholders(self, lang: str, *, template: str | None = None,
                     label: str | None = None) -> set[str]:
        """The values a template or label of ``lang`` uses (for the content check: every
        language must use the same ones)."""
        if template is not None:
            source = (self.root / lang / f"{template}.html.j2").read_text(encoding="utf-8")
            return set(meta.find_undeclared_variables(self._html.parse(source))) - {"lang"}
        assert label is not None
        return set(meta.find_undeclared_variables(
            self._plain.parse(self._labels[lang][label]))) - {"lang"}

    def has(self, name: str, lang: str = FALLBACK) -> bool:
        return any((self.root / code / f"{name}.html.j2").exists() for code in (lang, FALLBACK))

    def render(self, name: str, lang: str = FALLBACK, /, **context: Any) -> str:
        """Render the message template ``name`` (e.g. ``"start/welcome"``)."""
        for code in (lang, FALLBACK):
            try:
                template = self._html.get_template(f"{code}/{name}.html.j2")
            except TemplateNotFound:
                continue
            return template.render(lang=code, **context).strip()
        raise TemplateNotFound(name)

    def label(self, key: str, lang: str = FALLBACK, /, **context: Any) -> str:
        """A short plain string (a button, a command description)."""
        source = self._labels.get(lang, {}).get(key)
        if source is None:
            lang, source = FALLBACK, self._labels[FALLBACK].get(key)
        if source is None:
            raise KeyError(f"no label '{key}' in content/locales/{FALLBACK}/labels.yaml")
        return self._compile(source).render(lang=lang, **context).strip()

    def label_keys(self, lang: str = FALLBACK) -> list[str]:
        return sorted(self._labels.get(lang, {}))

    def template_names(self, lang: str = FALLBACK) -> list[str]:
        base = self.root / lang
        return sorted(
            str(p.relative_to(base))[: -len(".html.j2")] for p in base.rglob("*.html.j2")
        )

    @cache  # noqa: B019 - one Texts lives for the whole process
    def _compile(self, source: str) -> Any:
        return self._plain.from_string(source)


@cache
def texts() -> Texts:
    """The shipped texts, loaded once per process."""
    return Texts()
