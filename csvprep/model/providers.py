"""What each calling platform expects of a contact list, one entry per platform: the phone column's name, how the
variables are named, the platform's limits and extras, and whether csvprep reads its campaign request body. Shaping
and splitting the upload files read only this table (:mod:`csvprep.outputs.upload`); each platform with a campaign
body has one format module in :mod:`csvprep.job` (a test holds the two lists equal)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import OutputError


@dataclass(frozen=True)
class Provider:
    """What one platform expects of an uploaded contact list."""

    name: str
    phone_header: str | None  # the phone column's name on upload; None keeps the file's
    variable_headers: bool = False  # variable columns renamed to the agent's variable names (matched by name)
    reserved: tuple[str, ...] = ()  # columns the platform reads itself: flagged when a plain column has the name
    max_rows: int | None = None  # contacts per uploaded file
    max_bytes: int | None = None  # bytes per uploaded file
    max_columns: int | None = None
    max_cell: int | None = None  # characters per cell
    rejected_reason: str | None = None  # the rejected file's reason column, as the platform's own download has it
    transformation_file: bool = False  # Sarvam's cohort_transformation_file JSON
    # reserved columns whose cells the platform parses as a JSON object: (name, the prefix every key needs, or "")
    json_columns: tuple[tuple[str, str], ...] = ()
    note: str = ""
    # `--campaign` reads and checks its campaign request body: the platform has an entry in
    # csvprep.job.campaign.CAMPAIGN_FORMATS (its module csvprep/job/campaign_<name>.py)
    campaign_body: bool = False

    @property
    def plain(self) -> bool:
        """Leaves the file as it is: no renamed header, no limit, no extra file."""
        return self == Provider(self.name, None)


PROVIDERS: dict[str, Provider] = {
    provider.name: provider for provider in (
        Provider("generic", None),
        Provider("sigmamind", "Phone Number", campaign_body=True,
                 note="headers are matched to {{variables}} ignoring case and spaces"),
        Provider("sarvam", "phone_number", rejected_reason="rejected_reason", transformation_file=True,
                 campaign_body=True, note="upload cleaned.csv as cohort_file with cohort_transformation.json"),
        Provider("vapi", "number", variable_headers=True, max_rows=10_000, max_bytes=5_000_000,
                 note="headers are case-sensitive"),
        Provider("retell", "phone number", variable_headers=True,
                 reserved=("ignore e164 validation", "override agent id", "override agent version", "metadata",
                           "custom_sip_headers"),
                 json_columns=(("metadata", ""), ("custom_sip_headers", "X-")),
                 note="every column that is not reserved is a dynamic variable"),
        Provider("elevenlabs", "phone_number", variable_headers=True,
                 reserved=("language", "first_message", "system_prompt", "voice_id"),
                 note="language, first_message, system_prompt and voice_id override the agent per call"),
        Provider("bland", "phone_number", variable_headers=True),
        Provider("exotel", "number", max_rows=100_000, max_bytes=60_000_000),
        Provider("genesys", None, max_rows=1_000_000, max_columns=50, max_cell=512),
    )
}

# the platforms whose campaign body `--campaign` reads, in the table's order
CAMPAIGN_PROVIDERS: tuple[str, ...] = tuple(name for name, provider in PROVIDERS.items() if provider.campaign_body)
# the names as help texts list them: the platforms that shape the file, then the one that leaves it as it is
UPLOAD_PROVIDERS: tuple[str, ...] = tuple(sorted(PROVIDERS, key=lambda name: PROVIDERS[name].plain))

SARVAM_OVERRIDES = ("initial_bot_message", "initial_state_name", "initial_language_name")


def get_provider(name: str) -> Provider:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise OutputError(f"unknown provider '{name}' (one of {', '.join(PROVIDERS)})") from None
