"""The platforms csvprep talks to, by provider name: how to reach each one from the environment (its key, its
base URL, Sarvam's organisation and workspace). Keys come from the environment only, never from an argument."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import PlatformError
from . import sarvam, sigmamind
from .http import Http, Policy


@dataclass(frozen=True)
class Platform:
    provider: str
    title: str
    key_env: str
    url_env: str
    base_url: str


PLATFORMS = {p.provider: p for p in (
    Platform("sigmamind", "SigmaMind", sigmamind.KEY_ENV, sigmamind.URL_ENV, sigmamind.BASE_URL),
    Platform("sarvam", "Sarvam", sarvam.KEY_ENV, sarvam.URL_ENV, sarvam.BASE_URL),
)}


def connect(provider: str, *, env: Mapping[str, str] | None = None, dry_run: bool = False,
            policy: Policy | None = None, echo: Callable[[str], None] = print, org: str | None = None,
            workspace: str | None = None, transport=None) -> sigmamind.SigmaMind | sarvam.Sarvam:
    """The client of ``provider``'s API, its key read from ``env`` (the process environment by default). A dry
    run needs no key."""
    env = os.environ if env is None else env
    if provider not in PLATFORMS:
        raise PlatformError(f"unknown platform '{provider}' (one of {', '.join(PLATFORMS)})")
    platform = PLATFORMS[provider]
    key = env.get(platform.key_env, "").strip()
    if not key and not dry_run:
        raise PlatformError(f"{platform.title}: set {platform.key_env} to your API key (csvprep reads keys from the "
                            "environment only)")
    if key and not (key.isascii() and key.isprintable() and " " not in key):
        # said before any request: a header cannot carry it, and httpx's error would quote part of it
        raise PlatformError(f"{platform.title}: {platform.key_env} holds a character an HTTP header cannot carry "
                            "(a space, a line break, a non-ASCII letter?): copy the key again")
    http = Http(platform.title, env.get(platform.url_env) or platform.base_url, "X-API-Key", key,
                policy=policy or Policy(), dry_run=dry_run, echo=echo, transport=transport)
    if provider == "sarvam":
        return sarvam.Sarvam(http, org or env.get(sarvam.ORG_ENV, "") or ("<org_id>" if dry_run else ""),
                             workspace or env.get(sarvam.WORKSPACE_ENV, "") or ("<workspace_id>" if dry_run else ""))
    return sigmamind.SigmaMind(http)
