"""csvprep: clean and validate contact CSVs for outbound AI voice-call campaigns before upload.

>>> import csvprep
>>> result = csvprep.clean("contacts.csv", csvprep.load_rules("rules/payment_reminder.toml"))  # doctest: +SKIP
>>> result.counts()["rows_rejected"], result.cleaned, result.rejected, result.issues  # doctest: +SKIP
>>> job = csvprep.build_job("rules/payment_reminder.toml", provider="vapi")  # doctest: +SKIP
>>> result, paths = csvprep.run(job, "contacts.csv", out_dir="out")  # doctest: +SKIP

The names below are the public API (``__all__``, held by ``tests/test_api.py``); the subpackages are internal.
"""

import os
import warnings
from importlib import import_module

# Polars' allocator (jemalloc) keeps freed pages for 10 s by default, so a run's peak holds the garbage of the
# parts before: returning them after half a second lowers the peak by a quarter (`csvprep clean` of 1M messy rows:
# 0.89 -> 0.66 GB) for CPU within the runs' spread (at most ~5%, page faults mostly). Read once, when Polars is
# loaded: it applies when csvprep is imported first, as the command line does; a value the user set is kept.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:500,muzzy_decay_ms:0")

# each public name and the module it lives in: loaded on first use, so that `csvprep check` imports only what it
# runs (a pre-commit hook pays every module's import time on each commit)
_HOMES = {
    "CleanResult": "app.result", "check_file": "app.run", "clean": "app.run", "clean_file": "app.run", "run": "app.run",
    "clean_files": "app.batch",
    "ConfigError": "errors", "CsvprepError": "errors", "InputError": "errors", "OutputError": "errors",
    "RulesError": "errors", "read_contacts": "io.read.readers", "resolve_calling_hours": "job.calling",
    "check_campaign": "job.campaign", "load_campaign": "job.campaign", "Job": "job.job", "build_job": "job.job",
    "load_rules": "job.rules_file", "starter_rules": "job.starter", "rules_from_dict": "job.rules_file", "CallingHours": "model.calling",
    "Contacts": "model.contacts", "ReadOptions": "model.contacts", "PhoneVerdict": "model.e164",
    "CODES": "model.issues", "DuplicateRule": "model.rules", "PhoneRule": "model.rules", "Rules": "model.rules",
    "VariableRule": "model.rules", "Summary": "model.summary", "normalise_phones": "stages.phones.check",
    "parse_phone": "stages.phones.parse", "load_suppression": "stages.suppression",
}


def __getattr__(name: str):
    if name == "normalize_phones":  # the old spelling: still works, says so, and is not in __all__
        warnings.warn("csvprep.normalize_phones is now csvprep.normalise_phones", DeprecationWarning, stacklevel=2)
        name = "normalise_phones"
    if name not in _HOMES:
        raise AttributeError(f"module 'csvprep' has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


__all__ = [
    "CODES",
    "CallingHours",
    "CleanResult",
    "ConfigError",
    "Contacts",
    "CsvprepError",
    "DuplicateRule",
    "InputError",
    "Job",
    "OutputError",
    "PhoneRule",
    "PhoneVerdict",
    "ReadOptions",
    "Rules",
    "RulesError",
    "Summary",
    "VariableRule",
    "build_job",
    "check_campaign",
    "check_file",
    "clean",
    "clean_file",
    "clean_files",
    "load_campaign",
    "load_rules",
    "load_suppression",
    "normalise_phones",
    "parse_phone",
    "read_contacts",
    "resolve_calling_hours",
    "rules_from_dict",
    "run",
    "starter_rules",
]
