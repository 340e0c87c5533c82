"""Launching a campaign with the cleaned list: the same run as ``csvprep clean``, then the campaign created with
what it wrote (SigmaMind: the list in the create request; Sarvam: the campaign, then the list as a cohort, polled
until processed). What was launched is recorded beside the outputs (:data:`LAUNCH_FILE`) for ``campaign
reconcile`` to find."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import PlatformError
from ..io.csv_out import atomic_write
from ..job.campaign import Campaign
from ..job.job import Job
from ..outputs.publish import input_rows
from ..platforms.http import Upload
from ..platforms.sarvam import Sarvam
from ..platforms.sigmamind import SigmaMind
from .result import CleanResult
from .run import run

LAUNCH_FILE = "campaign-launch.json"
ROW_IDENTIFIER = "user_identifier"  # the column csvprep adds for Sarvam when the list has no identifier


@dataclass
class Launch:
    """A launch: the run's result and files, the platform's campaign record, and (Sarvam) the cohort's."""

    result: CleanResult
    paths: dict[str, Path]
    campaign: dict[str, Any] = field(default_factory=dict)
    cohort: dict[str, Any] | None = None

    @property
    def campaign_id(self) -> str | None:
        return self.campaign.get("campaignId") or self.campaign.get("campaign_id")


def starts_at_once(campaign: Campaign, now: datetime | None = None) -> bool:
    """A SigmaMind campaign dials as soon as it is created unless it is scheduled in the future."""
    if campaign.provider != "sigmamind":
        return False  # Sarvam's is born scheduled: it starts at its start_timestamp
    launch = campaign.launch_time()
    return launch is None or launch <= (now or datetime.now(timezone.utc))


def launch(job: Job, source: str | Path, client: SigmaMind | Sarvam, *, out_dir: str | Path,
           start_now: bool = False, cohort_name: str | None = None, progress: Callable[[str], None] | None = None,
           poll_timeout: float = 600.0, poll_interval: float = 2.0, now: datetime | None = None) -> Launch:
    """Clean ``source`` into ``out_dir`` as ``csvprep clean`` does, then create ``job.campaign`` with the cleaned
    list. Refused before anything is sent when the body has errors, when nothing is left to upload, or when a
    SigmaMind campaign would start dialling at once and ``start_now`` is not given."""
    campaign = job.campaign
    if campaign is None:
        raise PlatformError("no campaign body to create the campaign from")
    if job.campaign_failed:
        raise PlatformError(f"{campaign.source}: the campaign body has errors (see above; csvprep campaign check): "
                            "nothing was sent")
    if starts_at_once(campaign, now) and not start_now:
        raise PlatformError(f"{campaign.source}: this SigmaMind campaign is not scheduled in the future, so it starts "
                            "dialling as soon as it is created: pass --start-now to mean it, or set isScheduled, "
                            "scheduledDate, scheduledTime and scheduledTimezone")
    out_dir = Path(out_dir)
    result, paths = run(job, source, out_dir=out_dir)
    if result.summary.rows_clean == 0:
        raise PlatformError(f"no contact of {source} passed the checks: nothing to upload (see {paths['errors.txt']})")
    cleaned = paths["cleaned.csv"]
    done = Launch(result, paths)
    record: dict[str, Any] = {"provider": campaign.provider, "body": campaign.source, "list": str(source),
                              "uploaded": cleaned.name, "launched_at": _now()}
    if isinstance(client, SigmaMind):
        done.campaign = client.create(campaign.body, Upload.of(cleaned))
    else:
        done.campaign = client.create(campaign.body)
        # recorded before the cohort goes: a failed upload leaves a campaign csvprep can still be told about
        _keep(client, out_dir, {**record, "campaign_id": done.campaign_id})
        done.cohort = _upload_cohort(client, done.campaign_id, out_dir, cohort_name or _cohort_name(
            campaign.body.get("name")), record, progress=progress, timeout=poll_timeout, interval=poll_interval)
    record["campaign_id"] = done.campaign_id
    _keep(client, out_dir, record)
    return done


def _keep(client: SigmaMind | Sarvam, out_dir: Path, record: dict[str, Any]) -> None:
    """The launch record beside the run's outputs (not in its manifest: it is the platform's side of the run)."""
    if not client.http.dry_run:
        atomic_write(out_dir / LAUNCH_FILE, (json.dumps(record, indent=2) + "\n").encode("utf-8"))


def upload(job: Job, source: str | Path, client: Sarvam, campaign_id: str, *, out_dir: str | Path,
           cohort_name: str | None = None, active_ok: bool = False, progress: Callable[[str], None] | None = None,
           poll_timeout: float = 600.0, poll_interval: float = 2.0) -> Launch:
    """Clean ``source`` into ``out_dir`` and upload it as another cohort of Sarvam campaign ``campaign_id``.
    Refused for an active campaign unless ``active_ok``: an active campaign dials a new cohort at once."""
    status = client.get(campaign_id).get("status")
    if status == "active" and not active_ok and not client.http.dry_run:
        raise PlatformError(f"Sarvam: campaign {campaign_id} is active: it dials an uploaded cohort at once; pass "
                            "--start-now to mean it, or pause it first")
    if status in ("ended", "cancelled"):
        raise PlatformError(f"Sarvam: campaign {campaign_id} is {status}: it takes no more contacts")
    out_dir = Path(out_dir)
    result, paths = run(job, source, out_dir=out_dir)
    if result.summary.rows_clean == 0:
        raise PlatformError(f"no contact of {source} passed the checks: nothing to upload (see {paths['errors.txt']})")
    done = Launch(result, paths, campaign={"campaign_id": campaign_id, "status": status})
    record: dict[str, Any] = {"provider": "sarvam", "list": str(source), "uploaded": "cleaned.csv",
                              "launched_at": _now(), "campaign_id": campaign_id}
    done.cohort = _upload_cohort(client, campaign_id, out_dir, cohort_name or _cohort_name(campaign_id), record,
                                 progress=progress, timeout=poll_timeout, interval=poll_interval)
    _keep(client, out_dir, record)
    return done


def exclude(client: Sarvam, campaign_id: str, stop_file: str | Path, *, name: str | None = None) -> dict[str, Any]:
    """Upload ``stop_file`` as a stop-file cohort: Sarvam removes the contacts it names (by identifier or phone)
    from those already in the campaign. Sent as given: the numbers' column is Sarvam's to match."""
    path = Path(stop_file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise PlatformError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return client.upload(campaign_id, name or _cohort_name(f"stop {path.stem}"), Upload(path.name, content),
                         category="stop_file")


def _upload_cohort(client: Sarvam, campaign_id: str, out_dir: Path, name: str, record: dict[str, Any], *,
                   progress: Callable[[str], None] | None, timeout: float, interval: float) -> dict[str, Any]:
    cohort, transformation, identifier = sarvam_cohort(out_dir)
    uploaded = client.upload(campaign_id, name, cohort, transformation)
    record.update(identifier_column=identifier[0], identifier_is_row=identifier[1])
    cohort_id = uploaded.get("cohort_id")
    record["cohorts"] = [cohort_id]
    if uploaded.get("status") in ("completed", "failed") or cohort_id is None:
        return uploaded
    return client.wait(campaign_id, cohort_id, timeout=timeout, interval=interval, progress=progress)


def sarvam_cohort(out_dir: Path) -> tuple[Upload, Upload, tuple[str, bool]]:
    """cleaned.csv and the transformation file as Sarvam's cohort upload, with a ``user_identifier`` column (the
    input's row number) when the list has no identifier of its own; and which column identifies a contact,
    whether it is csvprep's row number."""
    cleaned = out_dir / "cleaned.csv"
    mapping_path = out_dir / "cohort_transformation.json"
    mapping = json.loads(mapping_path.read_text(encoding="utf-8")) if mapping_path.exists() else {}
    if "user_identifier" in mapping:
        column = mapping["user_identifier"]["column_name"]
        return Upload.of(cleaned), _json_upload(mapping, mapping_path.name), (column, False)
    frame = pl.read_csv(cleaned, infer_schema=False)
    column = ROW_IDENTIFIER if ROW_IDENTIFIER not in frame.columns else "csvprep_input_row"
    frame = frame.with_columns(pl.Series(column, [str(row) for row in cleaned_to_input(out_dir, frame.height)]))
    mapping = {"phone_number": mapping.get("phone_number", {"column_name": frame.columns[0]}),
               "user_identifier": {"column_name": column, "required": True},
               **{k: v for k, v in mapping.items() if k != "phone_number"}}
    text = frame.write_csv(quote_style="necessary").encode("utf-8")
    return Upload(cleaned.name, text), _json_upload(mapping, "cohort_transformation.json"), (column, True)


def cleaned_to_input(out_dir: Path, rows: int) -> list[int]:
    """The input row of each of cleaned.csv's ``rows`` rows, from the run's manifest."""
    runs = input_rows(out_dir)
    if runs is None:
        raise PlatformError(f"{out_dir}: the manifest does not record which input row each cleaned row came from "
                            "(a run of an earlier csvprep): clean the list again")
    if any(len(run) == 3 for run in runs):
        raise PlatformError(f"{out_dir}: a run over several files, which no campaign command uploads: name the --out "
                            "directory of the 'campaign create' or 'campaign upload' that sent the list")
    numbers = [first + offset for first, count in runs for offset in range(count)]
    if len(numbers) != rows:
        raise PlatformError(f"{out_dir}: cleaned.csv has {rows:,} rows but the manifest records {len(numbers):,}: "
                            "the file changed since the run")
    return numbers


def _json_upload(mapping: dict[str, Any], name: str) -> Upload:
    return Upload(name, (json.dumps(mapping, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
                  "application/json")


def _cohort_name(campaign_name: Any) -> str:
    """A cohort name Sarvam takes (``^[\\w\\- ]{1,50}$``)."""
    import re

    base = re.sub(r"[^\w\- ]", "", str(campaign_name or "")).strip()[:30] or "csvprep"
    return f"{base} {datetime.now(timezone.utc):%Y%m%d-%H%M%S}"[:50]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
