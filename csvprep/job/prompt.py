"""The agent's prompt as the source of truth for its variables: the template's ``{{customer_name}}`` names are
found with jinja2's own parser; a name used only with ``| default(...)`` is optional, any other is required.
:func:`render_preview` shows what the agent will say to one contact, with any undefined variable shown loudly
instead of as a silent blank; :func:`preview_contacts` does so for the first clean contacts of a result.

A prompt file may come from a shared repository, so it is parsed and rendered in jinja2's immutable sandbox, with no
loader: a template reaching for Python's insides (``{{ cycler.__init__.__globals__.os.popen('id').read() }}``) or
for another file (``{% include %}``, ``{% import %}``, ``{% extends %}``) stops with a one-line error naming it, and
runs nothing.

jinja2 is imported inside the functions that parse or render: ``csvprep check`` without a prompt never loads it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import RulesError
from ..io.files import read_capped
from ..model.contacts import ColumnMap, Contacts
from ..model.limits import MAX_TEXT_FILE_BYTES
from ..model.rules import Rules, VariableRule
from ..model.text import printable

if TYPE_CHECKING:
    import polars as pl

MISSING = "⟦MISSING {}⟧"
PHONE_VARIABLE = "phone_number"  # the variable a prompt reads the contact's number by


@dataclass(frozen=True)
class PromptVariables:
    """The template's variables: ``required`` (used at least once without a default) and ``optional``."""

    source: str
    text: str
    required: frozenset[str]
    optional: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.required | self.optional


def read_prompt(path: str | Path) -> PromptVariables:
    """Read a prompt template and find its variables. Raises :class:`RulesError` when it is not a valid template."""
    path = Path(path)
    try:
        text = read_capped(path, MAX_TEXT_FILE_BYTES, "prompt", RulesError).decode("utf-8-sig")
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the prompt ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise RulesError(f"{path}: the prompt is not UTF-8 text") from None
    return prompt_variables(text, str(path))


def _environment(**options):
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(**options)  # no loader: nothing to include, import or extend


# a prompt is one file: these would read another
_OTHER_FILES = {"Include": "include", "Import": "import", "FromImport": "from", "Extends": "extends"}


def prompt_variables(text: str, source: str = "<prompt>") -> PromptVariables:
    import jinja2
    from jinja2 import meta, nodes

    environment = _environment()
    try:
        tree = environment.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        raise RulesError(f"{source}: line {exc.lineno}: invalid template ({exc.message})") from None
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        raise RulesError(f"{source}: line {node.lineno}: {{% {_OTHER_FILES[type(node).__name__]} %}} is not "
                         "supported: a prompt is one file, as the agent gets it")
    names = meta.find_undeclared_variables(tree)
    defaulted: set[int] = set()  # names the template can do without: given a default, or only tested
    for node in tree.find_all(nodes.Filter):
        if node.name in ("default", "d") and isinstance(node.node, nodes.Name):
            defaulted.add(id(node.node))
    for node in tree.find_all(nodes.If):
        tested = [node.test] if isinstance(node.test, nodes.Name) else list(node.test.find_all(nodes.Name))
        defaulted.update(id(name) for name in tested)
        # {% if language %}... {{ language }} ...{% endif %}: used only where it is present
        guarded = {name.name for name in tested}
        for child in node.body:
            defaulted.update(id(name) for name in child.find_all(nodes.Name) if name.name in guarded)
    required = {node.name for node in tree.find_all(nodes.Name)
                if node.ctx == "load" and node.name in names and id(node) not in defaulted}
    return PromptVariables(source, text, frozenset(required), frozenset(names - required))


def apply_prompt(rules: Rules, prompt: PromptVariables) -> tuple[Rules, list[str]]:
    """The rules with the prompt's variables: a template variable the rules do not define becomes a text variable
    (required unless the template gives it a default); a required one is required in the rules too. Returns the
    notes to show: rules variables the prompt never uses."""
    known = {v.name: v for v in rules.variables}
    variables = []
    for variable in rules.variables:
        if variable.name in prompt.required and not variable.required:
            variable = dataclasses.replace(variable, required=True)
        variables.append(variable)
    # the phone variable is the phone column, whatever it is named in the file (preview fills it from there)
    for name in sorted(prompt.all - set(known) - {PHONE_VARIABLE}):
        variables.append(VariableRule(name=name, required=name in prompt.required))
    unused = sorted(set(known) - prompt.all)
    notes = [f"{prompt.source}: the rules define variable '{name}', which the prompt never uses" for name in unused]
    return dataclasses.replace(rules, variables=tuple(variables)), notes


def render_preview(prompt: PromptVariables, values: dict[str, object]) -> tuple[str, list[str]]:
    """The prompt rendered for one contact, and the names that were undefined (shown as ⟦MISSING name⟧). Raises
    :class:`RulesError`, naming the prompt, when the template does what the sandbox forbids or fails to render."""
    import jinja2
    from jinja2.sandbox import SecurityError

    missing: list[str] = []
    # TypeError: a tag that needs a loader; MemoryError: a string multiplied past memory
    template_errors = (jinja2.TemplateError, TypeError, ValueError, RecursionError, MemoryError)

    class Loud(jinja2.Undefined):
        def __str__(self) -> str:
            if issubclass(self._undefined_exception, SecurityError):  # what the sandbox refused: not a blank
                self._fail_with_undefined_error()
            missing.append(self._undefined_name or "?")
            return MISSING.format(self._undefined_name)

    environment = _environment(undefined=Loud, autoescape=False, keep_trailing_newline=True)
    present = {key: value for key, value in values.items() if value not in (None, "")}
    try:
        return environment.from_string(prompt.text).render(present), missing
    except SecurityError as exc:
        raise RulesError(f"{prompt.source}: the prompt does what a template may not ({exc}): nothing was run") \
            from None
    except template_errors + (ArithmeticError, LookupError) as exc:  # {{ 1/0 }}, {{ "a" + 1 }}, a loader it has not
        raise RulesError(f"{prompt.source}: the prompt cannot be rendered ({type(exc).__name__}: "
                         f"{' '.join(str(exc).split())[:160]})") from None


class _Cleaned(Protocol):
    """What a preview reads of a clean's result (:class:`csvprep.CleanResult` has it)."""

    contacts: Contacts
    columns: ColumnMap
    cleaned: pl.DataFrame
    rejected: pl.DataFrame


@dataclass(frozen=True)
class Preview:
    """The prompt rendered for one clean contact: its row in the file, its number, the text, and the variables
    that were undefined (sorted, each once)."""

    row: int
    phone: str
    text: str
    missing: tuple[str, ...]


def preview_contacts(prompt: PromptVariables, result: _Cleaned, count: int) -> list[Preview]:
    """The prompt rendered for each of the first ``count`` clean contacts of ``result``, with the values the agent
    will get: each variable's column, and ``phone_number``. The values are
    :func:`~csvprep.model.text.printable`: a preview is for a terminal, and a cell's line break or escape sequence
    must not pass for the template's own."""
    names = {variable.name: column for variable, column in result.columns.variables}
    shown = result.cleaned.head(count)
    frame = result.contacts.frame
    row_column = "csvprep_row" if "csvprep_row" in result.rejected.columns else "row"
    rows = frame.filter(~frame["_row"].is_in(result.rejected[row_column].implode()))["_row"].head(count)
    previews = []
    for row, contact in zip(rows.to_list(), shown.iter_rows(named=True)):
        values = {name: contact.get(column) for name, column in names.items()}
        values[PHONE_VARIABLE] = contact[result.columns.phone]
        values = {name: printable(value) if isinstance(value, str) else value for name, value in values.items()}
        text, missing = render_preview(prompt, values)
        previews.append(Preview(row, contact[result.columns.phone], text, tuple(sorted(set(missing)))))
    return previews
