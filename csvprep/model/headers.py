"""The headers that name a phone column, a country code column, an address's country and a time zone column, as
exports write them. Headers are compared by :func:`~csvprep.model.text.fold_name`."""

from __future__ import annotations

import re

from .text import fold_name

# Headers that name a phone column in exports people upload, most specific first. Google Contacts writes
# "Phone 1 - Value", Outlook "Mobile Phone", HubSpot "Phone Number", Vapi "number", Retell "phone number"; Indian
# lists "Mobile No." and "Ph. No." (and in Hindi, मोबाइल नंबर); German, French and Spanish exports their own words.
PHONE_HEADERS = tuple(dict.fromkeys(
    fold_name(name)
    for name in (
        "phone_number", "phone", "Phone Number", "mobile", "mobile_number", "Mobile Phone", "mobile_phone_number",
        "cell", "cell_phone", "cellphone", "telephone", "telephone_number", "tel", "number", "contact_number",
        "phone_no", "mobile_no", "msisdn", "whatsapp", "whatsapp_number", "Phone 1 - Value", "primary_phone",
        "Business Phone", "Home Phone", "work_phone", "to", "to_number", "customer_phone", "customer_number",
        "Phone (Mobile)", "mobile_phone_no", "phone_num", "mobile_num", "cell_number", "cell_no", "ph_no", "mob",
        "mob_no", "contact_no", "tel_no", "telephone_no", "whatsapp_no", "customer_mobile", "landline",
        "Telefon", "Telefonnummer", "Mobil", "Mobilnummer", "Handy", "Handynummer",
        "Téléphone", "Numéro de téléphone", "Téléphone portable", "Teléfono", "Número de teléfono", "Celular", "Móvil",
        "Telefone", "Número", "Número de celular", "Número de telefone", "मोबाइल नंबर", "मोबाइल", "फ़ोन नंबर", "फोन नंबर", "फ़ोन", "फोन",
    )
))

# Headers of a column that holds each number's country calling code apart from the number (web forms with a
# country picker, Shopify's "Phone Country Code", Indian lists' "ISD Code"). Not "Country": an address's country
# need not be the phone's; name such a column in the rules when it is.
COUNTRY_CODE_HEADERS = frozenset(
    fold_name(name)
    for name in (
        "country_code", "country calling code", "calling_code", "dial_code", "dialing_code", "dialling_code",
        "country dial code", "country dialing code", "isd", "isd_code", "phone_code", "phone country code",
        "country phone code", "phone_cc", "mobile_cc", "Ländervorwahl", "Indicatif", "Indicatif pays",
        "Código de país", "Código país", "Prefijo país", "DDI",
    )
)

# Headers of an address's country: never read as the phone's country unless the rules say so, but an invalid
# number that the row's country would make valid says so (HubSpot "Country/Region", Salesforce "Mailing Country")
COUNTRY_HEADERS = frozenset(
    fold_name(name)
    for name in ("country", "Country/Region", "country_name", "Mailing Country", "Billing Country",
                 "Shipping Country", "Other Country", "Land", "Pays", "País", "Paese")
)

# Words that make a header a phone column's wherever they stand in it (Contact Phone Number, recipient_phone_number,
# B2_telephone), unless another word says the column describes the number rather than holds it (Phone Type)
_PHONE_WORDS = frozenset({"phone", "phones", "mobile", "mobiles", "cell", "cellphone", "tel", "telephone",
                          "telephones", "msisdn", "whatsapp"})

_ALONE_WORDS = frozenset({"number", "numbers"})

_DESCRIBING_WORDS = frozenset({"type", "types", "label", "ext", "extension", "code", "country", "status", "verified",
                               "valid", "validity", "opt", "optin", "optout", "consent", "carrier", "provider", "kind",
                               "category", "count", "flag", "dnc", "prefix", "isd", "cc", "primary", "preferred",
                               "location", "zone", "timezone", "ok", "confirmed", "source", "date", "time"})

_WORD = re.compile(r"[^\W\d_]+|\d+")

_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def header_words(name: str) -> set[str]:
    """The words of a header, split at spaces, punctuation, digits and camel case (``recipientPhone``), folded."""
    words = set()
    for token in _WORD.findall(name):
        words.add(fold_name(token))
        words.update(fold_name(part) for part in _CAMEL.findall(token))
    return words - {""}


def looks_like_phone_header(name: str, *, by_words: bool = True) -> bool:
    """A header among :data:`PHONE_HEADERS`, or (``by_words``) one with a phone word in it (Contact Phone Number,
    B2_telephone, Phone Numbers) and no word that makes it about the number rather than the number itself
    (Phone Type)."""
    if fold_name(name) in PHONE_HEADERS:
        return True
    if not by_words:
        return False
    words = header_words(name)
    if fold_name(name) in COUNTRY_CODE_HEADERS or words & _DESCRIBING_WORDS:
        return False
    return bool(words & _PHONE_WORDS) or (bool(words) and words <= _ALONE_WORDS)

ZONE_HEADERS = ("timezone", "time_zone", "tz", "time zone", "iana_timezone")


def find_zone_column(header: list[str]) -> str | None:
    folded = {name.strip().lower().replace("-", "_"): name for name in header}
    return next((folded[name] for name in ZONE_HEADERS if name in folded), None)
