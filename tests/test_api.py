"""The public API is exactly the documented names (as httpx holds its exported members): everything else is
internal, reached through the subpackages."""

import warnings

import pytest
from conftest import ROOT

import csvprep

DOCUMENTED = [
    "CODES", "CallingHours", "CleanResult", "ConfigError", "Contacts", "CsvprepError", "DuplicateRule", "InputError",
    "Job", "OutputError", "PhoneRule", "PhoneVerdict", "ReadOptions", "Rules", "RulesError", "Summary",
    "VariableRule", "build_job", "check_campaign", "check_file", "clean", "clean_file", "clean_files", "load_campaign",
    "load_rules", "load_suppression", "normalise_phones", "parse_phone", "read_contacts", "resolve_calling_hours",
    "rules_from_dict", "run", "starter_rules",
]


def test_all_is_exactly_the_documented_names():
    assert sorted(csvprep.__all__) == sorted(DOCUMENTED)


@pytest.mark.parametrize("name", DOCUMENTED)
def test_every_public_name_resolves_and_is_in_the_readme_library_section(name):
    assert getattr(csvprep, name) is not None
    library = (ROOT / "README.md").read_text(encoding="utf-8").split("## Library")[1].split("\n## ")[0]
    assert f"csvprep.{name}" in library or f"`{name}`" in library, name


def test_the_old_spelling_still_works_and_says_so():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = csvprep.normalize_phones
    assert old is csvprep.normalise_phones
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    assert "normalize_phones" not in csvprep.__all__


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        csvprep.nope  # noqa: B018


def test_each_public_name_lives_where_the_lazy_table_says():
    # the names load on first use: a name missing from the table, or pointing at the wrong module, fails here
    assert sorted(csvprep._HOMES) == sorted(DOCUMENTED)


@pytest.mark.parametrize(("preset", "expected"), [(None, "dirty_decay_ms:500,muzzy_decay_ms:0"),
                                                  ("dirty_decay_ms:5000", "dirty_decay_ms:5000")])
def test_importing_csvprep_asks_polars_allocator_to_return_freed_pages_unless_the_user_said_otherwise(preset,
                                                                                                     expected):
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key != "_RJEM_MALLOC_CONF"}
    if preset is not None:
        env["_RJEM_MALLOC_CONF"] = preset
    shown = subprocess.run([sys.executable, "-c", "import os, csvprep; print(os.environ['_RJEM_MALLOC_CONF'])"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert shown == expected
