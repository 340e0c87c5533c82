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


@pytest.mark.parametrize("template, says", [
    ("Hi {{ cycler.__init__.__globals__.os.popen('touch BROKEN_OUT').read() }}", "nothing was run"),
    ("Hi {{ ''.__class__.__mro__[1].__subclasses__() }}", "nothing was run"),
    ("Hi {{ customer_name.__class__ }}", "nothing was run"),
])
def test_preview_renders_in_the_sandbox_a_template_that_breaks_out_is_one_line(tmp_path, monkeypatch, template, says):
    monkeypatch.chdir(tmp_path)
    prompt = tmp_path / "evil.prompt"
    prompt.write_text(template + " {{ customer_name }} {{ due_amount }}\n")
    result = run("preview", SAMPLE, "-r", SAMPLE_RULES, "--prompt", prompt, "-n", "1")
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if "never uses" not in line]
    assert len(errors) == 1 and errors[0].startswith(f"csvprep: error: {prompt}: ") and says in errors[0]
    assert "internal error" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "BROKEN_OUT").exists()


@pytest.mark.parametrize("tag", ['{% include "/etc/passwd" %}', '{% import "m.j2" as m %}',
                                 '{% from "m.j2" import x %}', '{% extends "base.j2" %}'])
@pytest.mark.parametrize("command", ["preview", "check"])
def test_a_prompt_that_reads_another_file_is_a_one_line_refusal(tmp_path, tag, command):
    prompt = tmp_path / "p.prompt"
    prompt.write_text(f"Hi {{{{ customer_name }}}} {tag}\n")
    result = run(command, SAMPLE, "-r", SAMPLE_RULES, "--prompt", prompt)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [f"csvprep: error: {prompt}: line 1: {{% {tag.split()[1]} %}} is not "
                                          "supported: a prompt is one file, as the agent gets it"]


def test_render_preview_is_sandboxed():
    prompt = prompt_variables("{{ name.__class__.__mro__ }}")
    with pytest.raises(RulesError, match="may not"):
        render_preview(prompt, {"name": "Ann"})
    assert render_preview(prompt_variables("Hi {{ name | upper }}"), {"name": "Ann"}) == ("Hi ANN", [])
