"""SigmaMind's campaign API (``../shared/api-docs/sigmamind-*.txt``): create (multipart, the list in ``file``),
update (PATCH JSON), get and list (``page``/``size``/``hasNext``). What the documentation leaves unknown is
tolerated: error bodies of any shape, ``errors`` null or absent, and a create whose answer never came is looked for
in the campaign list by its unique name before anything is decided."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..errors import PlatformError
from .http import DRY_RUN, Http, Upload, created_once

BASE_URL = "https://api.sigmamind.ai"
KEY_ENV, URL_ENV = "SIGMAMIND_API_KEY", "SIGMAMIND_API_URL"
STATUSES = ("live", "scheduled", "paused", "completed")
PAGE_SIZE = 100  # SigmaMind documents no maximum; a page of 100 keeps the requests few
MAX_PAGES = 10_000  # a server whose hasNext never ends is not followed for ever


def form_fields(body: dict[str, Any]) -> dict[str, str]:
    """A create body as multipart form fields: true/false and numbers as text, the default variables as a JSON
    string under ``variables`` (the update's ``dynamicVariables`` accepted too)."""
    fields: dict[str, str] = {}
    for key, value in body.items():
        if value is None:
            continue
        if key in ("variables", "dynamicVariables"):
            key = "variables"
            value = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
        fields[key] = value
    return fields


def update_body(body: dict[str, Any]) -> dict[str, Any]:
    """A body for the PATCH: ``variables`` named ``dynamicVariables`` as the update endpoint names it (an object,
    also when given as a JSON string)."""
    body = dict(body)
    if "variables" in body and "dynamicVariables" not in body:
        body["dynamicVariables"] = body.pop("variables")
    if isinstance(body.get("dynamicVariables"), str):
        try:
            body["dynamicVariables"] = json.loads(body["dynamicVariables"])
        except json.JSONDecodeError:
            pass  # sent as given: campaign check reports it
    return body


class SigmaMind:
    """The campaign endpoints over one :class:`~csvprep.platforms.http.Http`."""

    title = "SigmaMind"

    def __init__(self, http: Http) -> None:
        self.http = http

    def create(self, body: dict[str, Any], contacts: Upload) -> dict[str, Any]:
        """Create a campaign dialling ``contacts``. Never sent twice: after a timeout or a 5xx, the campaign list
        says whether it was created (its name is unique in the account)."""
        answer, recovered = created_once(
            lambda: self.http.request("POST", "/v1/campaigns", fields=form_fields(body), files={"file": contacts}),
            body.get("campaignName"), lambda name: self.find(str(name)))
        if recovered is not None:
            return recovered
        if answer is DRY_RUN:
            return {"campaignId": "<campaignId from the answer>", "campaignName": body.get("campaignName")}
        return self._record(answer, "POST /v1/campaigns")

    def update(self, campaign_id: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.request("PATCH", f"/v1/campaigns/{_segment(campaign_id)}", json_body=update_body(body))
        return {} if answer is DRY_RUN else self._record(answer, "PATCH")

    def get(self, campaign_id: str) -> dict[str, Any]:
        answer = self.http.request("GET", f"/v1/campaigns/{_segment(campaign_id)}")
        return {"campaignId": campaign_id, "errors": []} if answer is DRY_RUN else self._record(answer, "GET")

    def pages(self, status: str | None = None, *, every: bool = True, size: int = PAGE_SIZE
              ) -> Iterator[dict[str, Any]]:
        """Each page's answer as sent, following ``hasNext`` (only the first page unless ``every``)."""
        page = 0
        while page < MAX_PAGES:
            answer = self.http.request("GET", "/v1/campaigns", params={"status": status, "page": page, "size": size})
            if answer is DRY_RUN:
                return
            if not isinstance(answer, dict) or not isinstance(answer.get("data", []), list):
                raise PlatformError(f"{self.title}: GET /v1/campaigns: the answer is not a page of campaigns")
            yield answer
            if not every or not answer.get("hasNext") or not answer.get("data"):
                return
            page = int(answer.get("page", page)) + 1

    def campaigns(self, status: str | None = None, *, every: bool = True) -> list[dict[str, Any]]:
        return [item for page in self.pages(status, every=every) for item in page.get("data") or []]

    def find(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.campaigns() if c.get("campaignName") == name), None)

    @staticmethod
    def status_of(record: dict[str, Any]) -> str | None:
        return record.get("campaignStatus")

    @staticmethod
    def id_of(record: dict[str, Any]) -> str | None:
        return record.get("campaignId")

    def _record(self, answer: Any, what: str) -> dict[str, Any]:
        if not isinstance(answer, dict):
            raise PlatformError(f"{self.title}: {what}: the answer is not a campaign record")
        return answer


def _segment(value: str) -> str:
    """An id as one path segment: nothing in it can reach another endpoint."""
    from urllib.parse import quote

    return quote(str(value), safe="")
