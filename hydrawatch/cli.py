"""The ``hydrawatch`` command line (typer)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hydrawatch.consoles import console, out
from hydrawatch.runtime import PLAIN_LOG_FORMAT, exit_now, quiet_libraries
from hydrawatch.settings import Settings

app = typer.Typer(help="hydrawatch: detect coordinated LLM-API extraction campaigns.", no_args_is_help=True)


def _settings() -> Settings:
    settings = Settings()
    quiet_libraries(settings.log_level)
    logging.basicConfig(level=settings.log_level.upper(), handlers=[_log_handler()])
    return settings


def _log_handler() -> logging.Handler:
    """Rich, aligned log lines on a terminal; one plain line per record in a pipe or file (rich would wrap them at
    80 columns, splitting paths)."""
    if console.is_terminal:
        handler: logging.Handler = RichHandler(console=console, show_path=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
        return handler
    handler = logging.StreamHandler()  # stderr
    handler.setFormatter(logging.Formatter(PLAIN_LOG_FORMAT))
    return handler


def _check_inputs(paths: list[Path]) -> None:
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        console.print(f"[red]error:[/red] no such input file: {', '.join(missing)}")
        raise typer.Exit(2)


def _check_outputs(*paths: Path) -> None:
    """Output files go where asked: their folders are made, or the reason they cannot be is the error."""
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            console.print(f"[red]error:[/red] cannot write {path}: {exc.strerror or exc}")
            raise typer.Exit(2) from None


def _check_db(url: str) -> None:
    """A store URL that SQLAlchemy cannot parse, or a database it cannot reach, is an unusable argument."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from hydrawatch.store import make_engine

    try:
        parsed = make_url(url)
    except ArgumentError:
        console.print(f"[red]error:[/red] --db is not a database URL: {url!r}")
        raise typer.Exit(2) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _check_outputs(Path(parsed.database))  # an SQLite file's folder is made like the other outputs'
    shown = parsed.render_as_string(hide_password=True)
    try:
        with make_engine(url).connect():
            pass
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        console.print(f"[red]error:[/red] cannot use the database {shown}: {reason}")
        raise typer.Exit(2) from None


@app.command()
def replay(
    paths: list[Path] = typer.Argument(..., help="JSONL (.gz), Parquet or CSV files of request events."),
    alerts_out: Path = typer.Option(..., "--alerts-out", help="Write every alert version here (JSON lines)."),
    dlq_out: Path | None = typer.Option(None, "--dlq-out", help="Rejected records with reasons (JSON lines)."),
    db: str | None = typer.Option(None, "--db", help="SQLAlchemy URL of the alert store (default from settings)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    webhook_url: str | None = typer.Option(None, "--webhook-url", help="Also POST every alert version here "
                                           "(signed with HYDRAWATCH_WEBHOOK_SECRET; see docs/webhooks.md)."),
) -> None:
    """Replay request logs through the detector and write alerts."""
    from hydrawatch.replay import build_detector
    from hydrawatch.replay import replay as run_replay

    settings = _settings()
    _check_inputs(paths)
    if webhook_url is not None:
        from hydrawatch.commands_webhook import replay_endpoint

        replay_endpoint(settings, webhook_url, db)
    if dlq_out is None:
        dlq_out = alerts_out.with_name(alerts_out.stem + ".dlq.jsonl")
    _check_outputs(alerts_out, dlq_out)
    store_url = settings.db_url if db is None else db
    if store_url:  # "" runs without a store
        _check_db(store_url)
    detector = build_detector(settings)
    total = sum(p.stat().st_size for p in paths)
    with Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TextColumn("events"),
                  TimeElapsedColumn(), console=console, disable=not progress, transient=True) as bar:
        task = bar.add_task("replay", total=None)
        counter = {"n": 0}

        def tick(_event: object) -> None:
            counter["n"] += 1
            if counter["n"] % 2000 == 0:
                bar.update(task, completed=counter["n"])

        result = run_replay(paths, settings, alerts_out=alerts_out, dlq_out=dlq_out, db_url=db,
                            on_event=tick, detector=detector)
    summary, stats = result.summary, result.source
    table = Table(title="replay summary", show_header=False)
    for name, value in (("input bytes", f"{total:,}"), ("events accepted", f"{stats.accepted:,}"),
                        ("rejected (dead-lettered)", f"{result.rejected:,}"), ("late (beyond reorder window)",
                        f"{stats.late:,}"), ("far ahead (taken at stream time)", f"{stats.ahead:,}"),
                        ("duplicates (event_id seen, skipped)", f"{stats.duplicates:,}"),
                        ("truncated (prompt or field)", f"{stats.truncated:,}"),
                        ("alert versions", f"{summary.alerts:,}"), ("campaigns", f"{summary.campaigns:,}"),
                        ("events/s", f"{summary.events_per_s:,.0f}"), ("alerts", str(alerts_out)),
                        ("dead letters", str(dlq_out))):
        table.add_row(name, value)
    if result.webhooks_pending is not None:
        table.add_row("webhook deliveries pending", f"{result.webhooks_pending:,}")
    if result.coverage:
        table.add_row("accounts carrying", ", ".join(f"{name} {share:.0%}" for name, share in result.coverage.items()))
    out.print(table)


@app.command()
def simulate(
    out_dir: Path = typer.Option(..., "--out", help="Folder for events.jsonl and labels.json."),
    scale: float = typer.Option(1.0, "--scale", help="Multiplies the number of accounts."),
    days: float = typer.Option(3.0, "--days", help="Days of traffic."),
    seed: int = typer.Option(7, "--seed"),
    benign_corpus: Path | None = typer.Option(None, "--benign-corpus", help="JSONL(.gz) with a 'text' field."),
    viral_remarks: float = typer.Option(
        0.0, "--viral-remarks", help="Probe: share of viral-prompt sends to which the sender adds a sentence of "
        "their own (0-1; all other events stay the same)."),
    system_wrappers: float = typer.Option(
        0.0, "--system-wrappers", help="Probe: share of the campaigns' templated extraction requests sent with the "
        "wrapper as the system prompt and only the task in the user turn (0-1)."),
    unseen_wordings: bool = typer.Option(
        False, "--unseen-wordings", help="Probe: the campaigns' wrappers in wordings the intent rules were not "
        "written from (only campaign requests change)."),
    slow_ramp_hours: float = typer.Option(
        10.0, "--slow-ramp-hours", help="Probe: the slow crew's accounts start one by one within this many hours "
        "(every other account sends at the same times)."),
    campaign_filler: float | None = typer.Option(
        None, "--campaign-filler", help="Probe: share of the hydra's, reasoning, slow and pivot crews' requests "
        "that are ordinary prompts (0 to under 1; their own: 0.18-0.25)."),
) -> None:
    """Generate labelled traffic: benign users, legitimate look-alikes and campaigns."""
    from hydrawatch.simulator import generate

    _settings()
    if (scale <= 0 or days <= 0 or slow_ramp_hours <= 0 or not 0 <= viral_remarks <= 1
            or not 0 <= system_wrappers <= 1 or not 0 <= (campaign_filler or 0) < 1):
        console.print("[red]error:[/red] --scale, --days and --slow-ramp-hours must be positive, --viral-remarks "
                      "and --system-wrappers between 0 and 1, --campaign-filler at least 0 and under 1")
        raise typer.Exit(2)
    result = generate(out_dir, scale=scale, days=days, seed=seed, benign_corpus=benign_corpus,
                      viral_remarks=viral_remarks, system_wrappers=system_wrappers, unseen_wordings=unseen_wordings,
                      slow_ramp_hours=slow_ramp_hours, campaign_filler=campaign_filler)
    out.print(f"wrote {result.events:,} events from {result.accounts:,} accounts to {result.events_path}")
    out.print(f"labels: {result.labels_path}")


@app.command()
def evaluate(
    alerts: Path = typer.Option(..., "--alerts", help="Alerts JSON lines from replay."),
    labels: Path = typer.Option(..., "--labels", help="labels.json from simulate (or your own)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    report: Path | None = typer.Option(None, "--report", help="Also write plots (PNG) and report.html here."),
    events: list[Path] | None = typer.Option(None, "--events", help="Replayed events, for the report's timeline."),
) -> None:
    """Account-level precision/recall/F1, per-campaign recall and time to detect, false positives by group."""
    from detector.evaluation import evaluate as run_evaluation
    from detector.evaluation import load_alerts, load_labels

    _check_inputs([alerts, labels, *(events or [])])
    result = run_evaluation(load_alerts(alerts), load_labels(labels))
    if report is not None:
        from detector.report import write_report

        written = write_report(report, load_alerts(alerts), load_labels(labels), events, result)
        console.print(f"report: {written.html}")
    if as_json:
        out.print_json(json.dumps(result.as_dict()))
        return
    out.print(f"accounts flagged {result.flagged}  precision {result.precision:.3f}  recall {result.recall:.3f}  "
              f"F1 {result.f1:.3f}")
    table = Table(title="campaigns")
    table.add_column("campaign", no_wrap=True, min_width=max((len(c.group) for c in result.campaigns), default=8))
    for column in ("accounts", "detected", "recall", "time to detect", "catchable after"):
        table.add_column(column)
    for c in result.campaigns:
        ttd = "not caught" if c.time_to_detect_s is None else f"{c.time_to_detect_s / 60:.0f} min"
        catchable = "-" if c.catchable_after_s is None else f"{c.catchable_after_s / 60:.0f} min"
        table.add_row(c.group, str(c.accounts), str(c.detected), f"{c.recall:.2f}", ttd, catchable)
    out.print(table)
    out.print(f"false positives by group: {result.false_positives_by_group or 'none'}")


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("var/demo"), "--out", help="Where the demo data and database go."),
    scale: float = typer.Option(0.5, "--scale"),
    days: float = typer.Option(2.0, "--days"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Then serve the dashboard on the demo data."),
    port: int = typer.Option(8000, "--port", help="Port of the dashboard."),
) -> None:
    """Simulate traffic, replay it into SQLite, then serve the dashboard on it (unless --no-serve)."""
    from detector.evaluation import evaluate as run_evaluation
    from detector.evaluation import load_alerts, load_labels
    from hydrawatch.replay import replay as run_replay
    from hydrawatch.simulator import generate

    settings = _settings()
    settings.embedding.minilm_per_account = max(settings.embedding.minilm_per_account, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"simulating {days:g} days of traffic at scale {scale:g} ...")
    sim = generate(out_dir, scale=scale, days=days, seed=7)
    db_url = f"sqlite:///{(out_dir / 'hydrawatch.db').resolve()}"
    alerts_path = out_dir / "alerts.jsonl"
    console.print(f"replaying {sim.events:,} events ...")
    result = run_replay([sim.events_path], settings, alerts_out=alerts_path, dlq_out=out_dir / "dlq.jsonl",
                        db_url=db_url)
    quality = run_evaluation(load_alerts(alerts_path), load_labels(sim.labels_path))
    out.print(f"{result.summary.events:,} events at {result.summary.events_per_s:,.0f}/s, "
              f"{result.summary.campaigns} campaigns, {result.summary.alerts} alert versions")
    out.print(f"precision {quality.precision:.3f}, recall {quality.recall:.3f} against the simulator's labels")
    out.print(f"alerts: {alerts_path}\ndatabase: {db_url}")
    out.print(f"next: hydrawatch evaluate --alerts {alerts_path} --labels {sim.labels_path}")
    if serve:
        from hydrawatch.commands_api import serve_demo

        serve_demo(db_url, port=port)


from hydrawatch.commands_api import register as _register_api  # noqa: E402

_register_api(app)

from hydrawatch.commands_stream import register as _register_stream  # noqa: E402

_register_stream(app)

from hydrawatch.commands_webhook import register as _register_webhook  # noqa: E402

_register_webhook(app)


def main() -> None:
    """The console script (and ``python -m hydrawatch.cli``): the command, then ``runtime.exit_now`` with its status,
    which skips the interpreter's teardown. Other exceptions end the process the usual way."""
    try:
        app()
    except SystemExit as done:
        exit_now(done.code)
    exit_now(0)


if __name__ == "__main__":
    main()
