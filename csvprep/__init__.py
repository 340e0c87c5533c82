"""csvprep: clean and validate contact CSVs for outbound AI voice-call campaigns before upload.

>>> import csvprep
>>> result = csvprep.clean("contacts.csv", csvprep.load_rules("rules/payment_reminder.toml"))  # doctest: +SKIP
>>> result.counts()["rows_rejected"], result.cleaned, result.rejected, result.issues  # doctest: +SKIP
"""

from .app.result import CleanResult
from .app.run import clean
from .errors import ConfigError, CsvprepError, InputError, OutputError, RulesError
from .io.read.readers import read_contacts
from .job.calling import resolve_calling_hours
from .job.campaign import check_campaign, load_campaign
from .job.rules_file import load_rules, rules_from_dict
from .model.calling import CallingHours
from .model.contacts import Contacts, ReadOptions
from .model.e164 import PhoneVerdict
from .model.issues import CODES
from .model.rules import DuplicateRule, PhoneRule, Rules, VariableRule
from .stages.phones.check import normalise_phones
from .stages.phones.parse import parse_phone
from .stages.suppression import load_suppression

normalize_phones = normalise_phones  # the old spelling, still reachable; left out of __all__


def __getattr__(name: str):
    # clean_file pulls in the writers and the HTML report: loaded on first use, not by `csvprep check`
    if name in ("clean_file", "check_file"):
        from .app import run as chunked

        return getattr(chunked, name)
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
    "OutputError",
    "PhoneRule",
    "PhoneVerdict",
    "ReadOptions",
    "Rules",
    "RulesError",
    "VariableRule",
    "check_campaign",
    "check_file",
    "clean",
    "clean_file",
    "load_campaign",
    "load_rules",
    "load_suppression",
    "normalize_phones",
    "parse_phone",
    "read_contacts",
    "resolve_calling_hours",
    "rules_from_dict",
]
