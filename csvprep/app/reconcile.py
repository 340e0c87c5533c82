"""What the platform refused of the rows csvprep passed, each mapped back to the input row it came from.

SigmaMind gives the campaign's ``errors`` as free text (``Row 7: invalid phone number '+1234'``), with no
documented vocabulary and no word on whether row 1 is the header: the numbering is the one under which the values
quoted in the errors are the cells of the uploaded cleaned.csv (said so when neither fits), and an error without
``Row N`` is kept verbatim. Sarvam gives a ``rejected_records`` CSV with a ``rejected_reason`` column, joined by
``user_identifier``. cleaned.csv's rows lead to input rows through the run's manifest."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import PlatformError
from ..io.csv_out import atomic_write
from ..platforms.sarvam import Sarvam
from ..platforms.sigmamind import SigmaMind
from .launch import LAUNCH_FILE, cleaned_to_input

RECONCILE_FILE = "reconcile.json"
_ROW = re.compile(r"^\s*row\s*#?\s*(\d+)\s*[:\-–]\s*(.*)$", re.IGNORECASE | re.DOTALL)
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
# how SigmaMind may count: the header is row 1 (a spreadsheet's numbering), or the first contact is
BASES = {"header": 2, "data": 1}


@dataclass
class Refusal:
    """One row the platform refused: its row in the input and in cleaned.csv (1 = the first contact), the value
    it names, and the platform's words."""

    reason: str
    text: str
    input_row: int | None = None
    cleaned_row: int | None = None
    value: str | None = None
    candidates: dict[str, int] | None = None  # input rows under each numbering, when it could not be told
    input_value: str | None = None  # the phone cell as the input has it, when the input is still as it was read

    @property
    def shown_value(self) -> str | None:
        """The value to show a person: the input's own spelling of a refused number, else the platform's."""
        if self.input_value and self.value and len(_digits(self.value)) >= 6:
            return self.input_value
        return self.value


@dataclass
class Reconciliation:
    provider: str
    campaign_id: str
    source: str | None
    refusals: list[Refusal] = field(default_factory=list)
    numbering: str | None = None  # SigmaMind: header, data, or None (not told)
    note: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.refusals else 0

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "campaign_id": self.campaign_id, "input": self.source,
                "row_numbering": self.numbering, "note": self.note, "counts": self.counts,
                "refused": [asdict(refusal) for refusal in self.refusals]}


def reconcile(client: SigmaMind | Sarvam, campaign_id: str, out_dir: str | Path) -> Reconciliation:
    """Fetch what the platform refused of campaign ``campaign_id`` and map it to the rows of the run in
    ``out_dir`` (the run that uploaded); writes ``reconcile.json`` there."""
    out_dir = Path(out_dir)
    cleaned_path = out_dir / "cleaned.csv"
    if not cleaned_path.is_file():
        raise PlatformError(f"{out_dir}: no cleaned.csv: name the --out directory of the run that uploaded")
    cleaned = pl.read_csv(cleaned_path, infer_schema=False)
    rows = cleaned_to_input(out_dir, cleaned.height)
    manifest = json.loads((out_dir / "csvprep-manifest.json").read_text(encoding="utf-8"))
    source = (manifest.get("input") or {}).get("source")
    launched = _launch_record(out_dir)
    if isinstance(client, SigmaMind):
        found = sigmamind_refusals(client.get(campaign_id).get("errors"), cleaned, rows)
        found.provider, found.campaign_id, found.source = "sigmamind", campaign_id, source
    else:
        found = sarvam_refusals(client, campaign_id, cleaned, rows, launched)
        found.source = source
    if not _input_values(out_dir, found.refusals) and any(r.input_row for r in found.refusals):
        found.note = "; ".join(filter(None, [found.note, "the input is not where the run read it, or has changed "
                                                         "since: values are shown as uploaded"]))
    found.counts.setdefault("uploaded", cleaned.height)
    found.counts["refused"] = len(found.refusals)
    atomic_write(out_dir / RECONCILE_FILE, (json.dumps(found.to_dict(), indent=2, ensure_ascii=False) + "\n")
                 .encode("utf-8"))
    return found


def sigmamind_refusals(errors: Any, cleaned: pl.DataFrame, rows: list[int]) -> Reconciliation:
    """SigmaMind's ``errors`` (strings; null or absent: none) as refusals of cleaned.csv's rows."""
    texts = [str(error) for error in (errors or [])] if isinstance(errors, list) else [str(errors)] if errors else []
    parsed = []
    for text in texts:
        match = _ROW.match(text)
        parsed.append((text, int(match.group(1)), match.group(2).strip()) if match else (text, None, text))
    header = [name for name in cleaned.columns]
    scores = {base: _fit(parsed, cleaned, header, offset) for base, offset in BASES.items()}
    fits = [base for base, (fit, misfit) in scores.items() if fit and not misfit]
    numbering = fits[0] if len(fits) == 1 else None
    found = Reconciliation("sigmamind", "", None, numbering=numbering)
    if texts and any(number is not None for _, number, _ in parsed) and numbering is None:
        found.note = ("the quoted values fit cleaned.csv under both row numberings (header as row 1, or the first "
                      "contact as row 1)" if len(fits) == 2 else
                      "the quoted values fit cleaned.csv under neither row numbering (header as row 1, or the first "
                      "contact as row 1): the candidates are listed")
    for text, number, reason in parsed:
        refusal = Refusal(reason=reason, text=text)
        if number is not None:
            quoted = _quoted(reason)
            refusal.value = quoted[0] if quoted else None
            if numbering is not None:
                index = number - BASES[numbering]
                if 0 <= index < len(rows):
                    refusal.cleaned_row, refusal.input_row = index + 1, rows[index]
            else:
                refusal.candidates = {base: rows[number - offset] for base, offset in BASES.items()
                                      if 0 <= number - offset < len(rows)}
        found.refusals.append(refusal)
    return found


def _fit(parsed: list[tuple[str, int | None, str]], cleaned: pl.DataFrame, header: list[str],
         offset: int) -> tuple[int, int]:
    """How many errors' quoted values are in the row they name under this numbering, and how many are not."""
    fit = misfit = 0
    for _, number, reason in parsed:
        quoted = _quoted(reason)
        if number is None or not quoted:
            continue
        index = number - offset
        if not 0 <= index < cleaned.height:
            misfit += 1
            continue
        row = cleaned.row(index, named=True)
        cells = {(value or "").strip() for value in row.values()}
        digits = {_digits(cell) for cell in cells if len(_digits(cell)) >= 6}
        ok = False
        for value in quoted:
            column = next((name for name in header if _same_name(name, value)), None)
            if value.strip() in cells or (len(_digits(value)) >= 6 and _digits(value) in digits):
                ok = True
            elif column is not None and not (row[column] or "").strip():
                ok = True  # a missing variable: its cell is empty in this row
        fit, misfit = (fit + 1, misfit) if ok else (fit, misfit + 1)
    return fit, misfit


def sarvam_refusals(client: Sarvam, campaign_id: str, cleaned: pl.DataFrame, rows: list[int],
                    launched: dict[str, Any]) -> Reconciliation:
    """Each cohort's rejected_records, joined to cleaned.csv by the identifier column."""
    cohorts = launched.get("cohorts") if launched.get("campaign_id") == campaign_id else None
    if not cohorts:
        cohorts = [c.get("cohort_id") for c in client.cohorts(campaign_id) if c.get("cohort_id")]
    column = launched.get("identifier_column")
    is_row = bool(launched.get("identifier_is_row"))
    found = Reconciliation("sarvam", campaign_id, None, numbering=None)
    cleaned_of = {row: index for index, row in enumerate(rows)}
    where: dict[str, int] = {}
    if column and not is_row and column in cleaned.columns:
        where = {value: index for index, value in enumerate(cleaned.get_column(column).to_list())
                 if value is not None}
    for cohort_id in cohorts:
        content = client.rejected_records(campaign_id, cohort_id)
        if not content.strip():
            continue
        rejected = pl.read_csv(content, infer_schema=False)
        reason_column = "rejected_reason" if "rejected_reason" in rejected.columns else rejected.columns[-1]
        key = column if column in rejected.columns else "user_identifier" if "user_identifier" in \
            rejected.columns else None
        for record in rejected.iter_rows(named=True):
            reason = (record.get(reason_column) or "").strip()
            refusal = Refusal(reason=reason, text=json.dumps(record, ensure_ascii=False))
            identifier = (record.get(key) or "").strip() if key else ""
            refusal.value = (record.get("phone_number") or record.get("user_phone_number") or identifier or None)
            if is_row and identifier.isdigit() and int(identifier) in cleaned_of:
                refusal.input_row = int(identifier)
                refusal.cleaned_row = cleaned_of[int(identifier)] + 1
            elif identifier in where:
                refusal.cleaned_row, refusal.input_row = where[identifier] + 1, rows[where[identifier]]
            found.refusals.append(refusal)
    if not column:
        found.note = "the launch record names no identifier column: rows were joined by user_identifier if present"
    found.counts["cohorts"] = len(cohorts)
    return found


def _input_values(out_dir: Path, refusals: list[Refusal]) -> bool:
    """Each refusal's phone cell as the input has it, read again when the input is still where the run read it
    and unchanged (its SHA-256); False when it cannot be."""
    import hashlib

    from ..errors import CsvprepError
    from ..io.read.readers import read_source
    from ..model.contacts import ReadOptions

    wanted = {r.input_row for r in refusals if r.input_row is not None}
    if not wanted:
        return True
    try:
        report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
        facts, phone = report["input"], report["columns"]["phone"]
        path = Path(facts["path"])
        digest = hashlib.sha256()
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != facts.get("sha256"):
            return False
        contacts = read_source(path, ReadOptions(encoding=facts.get("encoding"), delimiter=facts.get("delimiter")),
                               path.name)
        rows = contacts.frame.filter(pl.col("_row").is_in(sorted(wanted))).select("_row", phone)
    except (OSError, ValueError, KeyError, TypeError, CsvprepError, pl.exceptions.PolarsError):
        return False
    values = dict(rows.iter_rows())
    for refusal in refusals:
        refusal.input_value = values.get(refusal.input_row)
    return True


def _launch_record(out_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((out_dir / LAUNCH_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _quoted(text: str) -> list[str]:
    return [a or b for a, b in _QUOTED.findall(text)]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _same_name(column: str, name: str) -> bool:
    def key(text: str) -> str:
        return re.sub(r"[\s_\-]+", "_", text.strip().casefold())

    return key(column) == key(name)
