"""csvprep: clean and validate contact CSVs for outbound AI voice-call campaigns before upload.

>>> import csvprep
>>> result = csvprep.clean("contacts.csv", csvprep.load_rules("rules/payment_reminder.toml"))  # doctest: +SKIP
>>> result.counts()["rows_rejected"], result.cleaned, result.rejected, result.issues  # doctest: +SKIP
>>> job = csvprep.build_job("rules/payment_reminder.toml", provider="vapi")  # doctest: +SKIP
>>> result, paths = csvprep.run(job, "contacts.csv", out_dir="out")  # doctest: +SKIP

The names below are the public API (``__all__``, held by ``tests/test_api.py``); the subpackages are internal.
"""

import warnings

from .app.result import CleanResult
from .app.run import check_file, clean, clean_file, run
from .errors import ConfigError, CsvprepError, InputError, OutputError, RulesError
from .io.read.readers import read_contacts
from .job.calling import resolve_calling_hours
from .job.campaign import check_campaign, load_campaign
from .job.job import Job, build_job
from .job.rules_file import load_rules, rules_from_dict
from .model.calling import CallingHours
from .model.contacts import Contacts, ReadOptions
from .model.e164 import PhoneVerdict
from .model.issues import CODES
from .model.rules import DuplicateRule, PhoneRule, Rules, VariableRule
from .model.summary import Summary
from .stages.phones.check import normalise_phones
from .stages.phones.parse import parse_phone
from .stages.suppression import load_suppression


def __getattr__(name: str):
    if name == "normalize_phones":  # the old spelling: still works, says so, and is not in __all__
        warnings.warn("csvprep.normalize_phones is now csvprep.normalise_phones", DeprecationWarning, stacklevel=2)
        return normalise_phones
    raise AttributeError(f"module 'csvprep' has no attribute {name!r}")


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
    "load_campaign",
    "load_rules",
    "load_suppression",
    "normalise_phones",
    "parse_phone",
    "read_contacts",
    "resolve_calling_hours",
    "rules_from_dict",
    "run",
]
