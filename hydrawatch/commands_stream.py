"""``hydrawatch stream`` and ``hydrawatch produce``: the Kafka commands, registered into the typer app."""

from __future__ import annotations

import gzip
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import orjson
import typer

from hydrawatch.runtime import PLAIN_LOG_FORMAT, quiet_libraries
from hydrawatch.settings import get_settings
from streams.records_json import loads_lone_surrogates

log = logging.getLogger(__name__)


def configure_logging(level: str, fmt: str) -> None:
    """Structured JSON lines (default for the service) or plain text on stderr; the chatter of
    kafka-python, alembic and faiss is kept to warnings (``runtime.quiet_libraries``)."""
    from streams.metrics import JsonFormatter, RepeatFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RepeatFilter("kafka"))
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter(PLAIN_LOG_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    quiet_libraries(level)


def _lines(path: Path) -> Iterator[bytes]:
    handle: IO[bytes] = (gzip.open(path, "rb") if path.name.lower().endswith(".gz")  # type: ignore[assignment]
                         else open(path, "rb"))
    with handle:
        for line in handle:
            raw = line.rstrip(b"\r\n")
            if raw.strip():
                yield raw


def account_key(raw: bytes) -> bytes | None:
    """The message key: the event's account id, or None when the line is not a JSON object with one."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:  # lone surrogate escapes (half an emoji) are read as the parser reads them
            record = loads_lone_surrogates(raw.decode("utf-8"))
        except ValueError:
            return None
    account = record.get("account_id") if isinstance(record, dict) else None
    return account.encode("utf-8") if isinstance(account, str) and account else None


def produce_files(paths: list[Path], bootstrap_servers: str, topic: str, *, partitions: int | None = None,
                  rate: float | None = None, producer: object | None = None) -> int:
    """Send every non-empty line of the files (JSONL, .gz) as one message, unchanged, keyed by account id."""
    from kafka import KafkaAdminClient, KafkaProducer

    from hydrawatch.stream import MAX_MESSAGE

    if partitions is not None:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="hydrawatch-produce")
        try:
            if topic not in set(admin.list_topics()):
                admin.create_topics({topic: {"num_partitions": partitions, "replication_factor": -1}},
                                    timeout_ms=30_000, wait_for_metadata=True)
        finally:
            admin.close()
    own = producer is None
    kafka: KafkaProducer = producer or KafkaProducer(
        bootstrap_servers=bootstrap_servers, client_id="hydrawatch-produce", acks="all", linger_ms=20,
        batch_size=512 * 1024, max_request_size=MAX_MESSAGE)
    sent, started = 0, time.monotonic()
    try:
        for path in paths:
            for raw in _lines(path):
                kafka.send(topic, value=raw, key=account_key(raw))
                sent += 1
                if rate:
                    ahead = sent / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
        kafka.flush(timeout=120)
    finally:
        if own:
            kafka.close(timeout=30)
    return sent


def register(app: typer.Typer) -> None:
    """Add the Kafka commands to the CLI."""

    @app.command()
    def stream(
        bootstrap_servers: str | None = typer.Option(None, "--bootstrap-servers", help="Kafka host:port."),
        topic: str | None = typer.Option(None, "--topic", help="Input topic of request events."),
        group: str | None = typer.Option(None, "--group", help="Consumer group (names the checkpoints too)."),
        alerts_topic: str | None = typer.Option(None, "--alerts-topic", help="Topic of alert versions."),
        dlq_topic: str | None = typer.Option(None, "--dlq-topic", help="Topic of rejected messages."),
        profiles_topic: str | None = typer.Option(None, "--profiles-topic", help="Compacted profiles topic."),
        role: str = typer.Option("all", "--role", help="all (one process), worker (per-account features of "
                                 "its partitions) or linker (campaigns from the workers' profiles)."),
        db: str | None = typer.Option(None, "--db", help="SQLAlchemy URL: alerts, checkpoints."),
        exit_when_idle: float | None = typer.Option(
            None, "--exit-when-idle", help="Stop after this many seconds without input once caught up."),
        metrics_port: int | None = typer.Option(None, "--metrics-port", help="Serve /metrics and /healthz."),
        log_format: str = typer.Option("json", "--log-format", help="json (structured) or text."),
    ) -> None:
        """Consume request events from Kafka and emit alerts (a long-running service; SIGTERM stops it)."""
        from hydrawatch.stream import StreamOptions, run_stream

        settings = get_settings().model_copy(deep=True)
        configure_logging(settings.log_level, log_format)
        overrides = {name: value for name, value in (
            ("bootstrap_servers", bootstrap_servers), ("topic", topic), ("group", group),
            ("alerts_topic", alerts_topic), ("dlq_topic", dlq_topic), ("profiles_topic", profiles_topic))
            if value is not None}
        settings.kafka = settings.kafka.model_copy(update=overrides)
        if role not in ("all", "worker", "linker"):
            raise typer.BadParameter("--role must be all, worker or linker")
        result = run_stream(settings, StreamOptions(role=role, exit_when_idle=exit_when_idle,
                                                    metrics_port=metrics_port, db_url=db))
        log.info("stream ended: %d events, %d rejected, %d alert versions, %d re-emissions suppressed, "
                 "%d checkpoints", result.summary.events, result.rejected, result.alerts, result.duplicates,
                 result.checkpoints, extra={"events": result.summary.events, "alerts": result.alerts,
                                            "rejected": result.rejected, "duplicates": result.duplicates,
                                            "busy_s": round(result.busy_s, 3),
                                            "events_per_s": round(result.events_per_s, 1)})

    @app.command()
    def produce(
        paths: list[Path] = typer.Argument(..., help="JSONL (.gz) replay files; one message per line."),
        bootstrap_servers: str = typer.Option("127.0.0.1:9092", "--bootstrap-servers", help="host:port."),
        topic: str = typer.Option("api-requests", "--topic", help="Target topic."),
        partitions: int | None = typer.Option(None, "--partitions", help="New topic with N partitions."),
        rate: float | None = typer.Option(None, "--rate", help="Messages per second (default: no limit)."),
    ) -> None:
        """Load replay files into a topic, keyed by account id; lines go byte for byte (bad ones too)."""
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            typer.echo(f"error: no such input file: {', '.join(missing)}", err=True)
            raise typer.Exit(2)
        configure_logging(get_settings().log_level, "text")
        sent = produce_files(paths, bootstrap_servers, topic, partitions=partitions, rate=rate)
        typer.echo(f"produced {sent:,} messages to {topic}")
