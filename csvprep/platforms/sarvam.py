"""Sarvam's scheduling API (``../shared/campaign-apis.md``, ``api-docs/sarvam-update-campaign.txt``): campaigns
(create, get, list by ``offset``/``limit``, update only while ``paused`` or ``scheduled``, pause/resume/cancel)
and their cohorts (upload, poll until processed, the ``rejected_records`` file).

Where the documentation is silent csvprep is tolerant and says so: a campaign list in the cohorts' envelope
(``items``) or as a bare list; the rejected records as the CSV itself or as JSON naming a URL to it (fetched
without the API key: a link to storage is not Sarvam's API)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from ..errors import PlatformError
from .http import DRY_RUN, Http, Upload, created_once

BASE_URL = "https://apps.sarvam.ai/api/scheduling"
KEY_ENV, URL_ENV, ORG_ENV, WORKSPACE_ENV = "SARVAM_API_KEY", "SARVAM_API_URL", "SARVAM_ORG_ID", "SARVAM_WORKSPACE_ID"
STATUSES = ("scheduled", "active", "paused", "ended", "cancelled")
UPDATABLE = ("paused", "scheduled")
ACTIONS = ("pause", "resume", "cancel")
PAGE_LIMIT = 100  # Sarvam's documented maximum
MAX_PAGES = 10_000
DONE = ("completed", "failed")


class Sarvam:
    """The campaign and cohort endpoints of one workspace over one :class:`~csvprep.platforms.http.Http`."""

    title = "Sarvam"

    def __init__(self, http: Http, org: str, workspace: str) -> None:
        if not org or not workspace:
            raise PlatformError(f"Sarvam needs the organisation and workspace: set {ORG_ENV} and {WORKSPACE_ENV} "
                                "(or pass --org and --workspace)")
        self.http = http
        self.prefix = f"/v1/orgs/{_segment(org)}/workspaces/{_segment(workspace)}"

    def _campaign(self, campaign_id: str) -> str:
        return f"{self.prefix}/campaigns/{_segment(campaign_id)}"

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a campaign (born ``scheduled``). After a timeout or a 5xx the list says whether it was."""
        answer, recovered = created_once(
            lambda: self.http.request("POST", f"{self.prefix}/campaigns", json_body=body), body.get("name"),
            lambda name: next((c for c in self.campaigns() if c.get("name") == name), None))
        if recovered is not None:
            return recovered
        if answer is DRY_RUN:
            return {"campaign_id": "<campaign_id from the answer>", "name": body.get("name")}
        return _record(answer, "POST campaigns")

    def get(self, campaign_id: str) -> dict[str, Any]:
        answer = self.http.request("GET", self._campaign(campaign_id))
        return {"campaign_id": campaign_id, "status": "scheduled"} if answer is DRY_RUN else \
            _record(answer, "GET campaign")

    def update(self, campaign_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """PATCH the campaign, refused here unless it is paused or scheduled (Sarvam's rule), which a GET tells."""
        status = self.get(campaign_id).get("status")
        if status not in UPDATABLE and not self.http.dry_run:
            raise PlatformError(f"Sarvam: campaign {campaign_id} is {status or 'of unknown status'}: Sarvam updates a "
                                "campaign only while it is paused or scheduled (csvprep status "
                                f"{campaign_id} pause, then update)")
        answer = self.http.request("PATCH", self._campaign(campaign_id), json_body=body)
        return {} if answer is DRY_RUN else _record(answer, "PATCH campaign")

    def set_status(self, campaign_id: str, action: str) -> dict[str, Any]:
        if action not in ACTIONS:
            raise PlatformError(f"Sarvam: unknown action '{action}' (one of {', '.join(ACTIONS)})")
        answer = self.http.request("PUT", f"{self._campaign(campaign_id)}/status", json_body={"action": action})
        return {} if answer is DRY_RUN or answer is None else _record(answer, "PUT status")

    def pages(self, status: str | None = None, *, every: bool = True) -> Iterator[dict[str, Any]]:
        offset = 0
        for _ in range(MAX_PAGES):
            answer = self.http.request("GET", f"{self.prefix}/campaigns",
                                       params={"campaign_status": status, "offset": offset, "limit": PAGE_LIMIT})
            if answer is DRY_RUN:
                return
            page = answer if isinstance(answer, dict) else {"items": answer}
            items = _items(page)
            if items is None:
                raise PlatformError("Sarvam: GET campaigns: the answer is not a list of campaigns")
            yield page
            offset += len(items)
            total = page.get("total")
            more = page.get("next_page_uri") or (isinstance(total, int) and offset < total)
            if not every or not items or not more or isinstance(answer, list):
                return

    def campaigns(self, status: str | None = None, *, every: bool = True) -> list[dict[str, Any]]:
        return [item for page in self.pages(status, every=every) for item in _items(page) or []]

    def upload(self, campaign_id: str, name: str, cohort: Upload, transformation: Upload | None = None,
               category: str | None = None) -> dict[str, Any]:
        """Upload a cohort (``category`` ``stop_file``: an exclusion list). Refused for an active campaign unless
        asked for: its cohorts are dialled at once."""
        fields = {"name": name}
        if category:
            fields["cohort_category"] = category
        files = {"cohort_file": cohort}
        if transformation is not None:
            files["cohort_transformation_file"] = transformation
        answer = self.http.request("POST", f"{self._campaign(campaign_id)}/cohorts/upload", fields=fields,
                                   files=files)
        if answer is DRY_RUN:
            return {"cohort_id": "<cohort_id from the answer>", "status": "completed", "result": {}}
        return _record(answer, "POST cohorts/upload")

    def cohort(self, campaign_id: str, cohort_id: str) -> dict[str, Any]:
        answer = self.http.request("GET", f"{self._campaign(campaign_id)}/cohorts/{_segment(cohort_id)}")
        return {"cohort_id": cohort_id, "status": "completed"} if answer is DRY_RUN else _record(answer, "GET cohort")

    def cohorts(self, campaign_id: str) -> list[dict[str, Any]]:
        answer = self.http.request("GET", f"{self._campaign(campaign_id)}/cohorts",
                                   params={"offset": 0, "limit": PAGE_LIMIT})
        if answer is DRY_RUN:
            return []
        return _items(answer if isinstance(answer, dict) else {"items": answer}) or []

    def wait(self, campaign_id: str, cohort_id: str, *, timeout: float = 600.0, interval: float = 2.0,
             progress: Callable[[str], None] | None = None, sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
        """Poll the cohort until it is ``completed`` or ``failed``, at most ``timeout`` seconds."""
        started = clock()
        while True:
            cohort = self.cohort(campaign_id, cohort_id)
            status = cohort.get("status")
            if progress is not None:
                progress(f"cohort {cohort_id}: {status} ({clock() - started:.0f} s)")
            if status in DONE:
                return cohort
            if clock() - started + interval > timeout:
                raise PlatformError(f"Sarvam: cohort {cohort_id} still {status} after {timeout:.0f} s: see it later "
                                    f"with csvprep campaign reconcile {campaign_id}")
            sleep(interval)

    def rejected_records(self, campaign_id: str, cohort_id: str) -> bytes:
        """The cohort's rejected rows (CSV with ``rejected_reason``): the file itself, or fetched from the URL
        the answer names."""
        answer = self.http.request("GET", f"{self._campaign(campaign_id)}/cohorts/{_segment(cohort_id)}/files",
                                   params={"file_type": "rejected_records"}, raw=True)
        if answer is DRY_RUN:
            return b""
        content, kind = answer
        if "json" not in kind:
            return content
        import json

        import httpx

        try:
            body = json.loads(content)
        except ValueError:
            return content
        url = _url_in(body)
        if url is None:
            raise PlatformError("Sarvam: the rejected_records answer is JSON without a file URL in it")
        try:
            response = httpx.get(url, timeout=self.http.policy.timeout, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise PlatformError(f"Sarvam: cannot download the rejected records ({type(exc).__name__})") from None
        return response.content


def _url_in(body: Any) -> str | None:
    if isinstance(body, str) and body.startswith(("http://", "https://")):
        return body
    if isinstance(body, dict):
        for key in ("url", "download_url", "file_url", "signed_url", "presigned_url"):
            if isinstance(body.get(key), str):
                return body[key]
        for value in body.values():
            found = _url_in(value) if isinstance(value, (dict, list)) else None
            if found:
                return found
    if isinstance(body, list):
        return next((found for found in map(_url_in, body) if found), None)
    return None


def _items(page: dict[str, Any]) -> list[dict[str, Any]] | None:
    for key in ("items", "data", "campaigns", "cohorts"):
        if isinstance(page.get(key), list):
            return page[key]
    return None


def _record(answer: Any, what: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise PlatformError(f"Sarvam: {what}: the answer is not a record")
    return answer


def _segment(value: str) -> str:
    return quote(str(value), safe="")
