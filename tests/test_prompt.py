"""The agent's prompt template as the source of truth for the variables, and the preview of what it will say."""

from __future__ import annotations

import pytest
from conftest import ROOT, RULES
from typer.testing import CliRunner

from csvprep import RulesError, rules_from_dict
from csvprep.cli.main import app
from csvprep.job.prompt import apply_prompt, prompt_variables, read_prompt, render_preview

PROMPTS = ROOT / "tests" / "prompts"
SAMPLE = ROOT / "sample_data" / "contacts.csv"
SAMPLE_RULES = ROOT / "rules" / "payment_reminder.toml"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_template_variables_are_required_unless_defaulted_or_only_tested():
    found = read_prompt(PROMPTS / "payment_reminder.txt")
    assert found.required == {"customer_name", "due_amount"}
    # due_date has a default; language is only shown when present
    assert found.optional == {"due_date", "language"}
    assert prompt_variables("{{ a | default('x') }} {{ a }}").required == {"a"}  # once without a default: required


def test_the_prompt_completes_the_rules_and_names_what_it_never_uses():
    rules = rules_from_dict({"variables": {"customer_name": {}, "email": {"type": "email"}}})
    completed, notes = apply_prompt(rules, read_prompt(PROMPTS / "payment_reminder.txt"))
    by_name = {v.name: v for v in completed.variables}
    assert by_name["customer_name"].required and by_name["due_amount"].required
    assert not by_name["due_date"].required and by_name["due_date"].type == "string"
    assert notes == [f"{PROMPTS / 'payment_reminder.txt'}: the rules define variable 'email', which the prompt "
                     "never uses"]


def test_a_template_variable_with_no_column_and_no_default_stops_the_run_before_any_row():
    # the rules file names its prompt (a path relative to the rules file)
    result = run("check", SAMPLE, "-r", RULES / "with_prompt.toml")
    assert result.exit_code == 2
    assert "no column 'account_manager' for required variable 'account_manager'" in result.stderr
    assert result.stdout == ""


def test_an_invalid_template_is_one_line_and_exit_2():
    with pytest.raises(RulesError, match="line 1: invalid template"):
        read_prompt(PROMPTS / "broken_template.txt")
    result = run("check", SAMPLE, "-r", SAMPLE_RULES, "--prompt", PROMPTS / "broken_template.txt")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1


def test_preview_renders_the_prompt_for_the_first_clean_contacts():
    result = run("preview", SAMPLE, "-r", SAMPLE_RULES, "--prompt", PROMPTS / "payment_reminder.txt", "-n", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "── Row 2 · +12065550199 " + "─" * 30,
        "Hello Jack Patel, this is a reminder about 68096.60 due on 2026-03-26.",
        "We can talk in Spanish.",
        "── Row 3 · +441134960438 " + "─" * 30,
        "Hello Zoë Jones, this is a reminder about 643.01 due on 2026-01-03.",
        "We can talk in Hindi.",
    ]
    assert "the rules define variable 'email', which the prompt never uses" in result.stderr


def test_an_undefined_variable_is_shown_loudly_never_as_a_blank():
    text, missing = render_preview(read_prompt(PROMPTS / "optional_nickname.txt"), {"customer_name": "Ann"})
    assert text.strip() == "Hi Ann (⟦MISSING nickname⟧)."
    assert missing == ["nickname"]
