"""Evaluation report: PNG plots (Agg) and one self-contained HTML page (``hydrawatch evaluate --report``).

Plots: account precision-recall as the alert score threshold varies, time to detect per campaign, and (with the
events file) each campaign's hourly traffic with the alerts' detection times. The HTML embeds the images as
base64 data URIs and escapes every string, so it can be mailed or archived as one file.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from detector.evaluation import Evaluation, ThresholdPoint, evaluate, threshold_curve
from streams.events import parse_time
from streams.sources import ReplaySource

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22")


@dataclass
class Report:
    """Where a report was written."""

    html: Path
    images: dict[str, Path] = field(default_factory=dict)
    metrics: Path | None = None


def alert_group(alert: dict[str, Any], group_of: dict[str, str]) -> str:
    """The labelled group most of an alert's accounts belong to (``unlabelled`` when none is known)."""
    votes = Counter(group_of.get(a, "unlabelled") for a in alert["accounts"])
    return votes.most_common(1)[0][0] if votes else "unlabelled"


def hourly_campaign_traffic(paths: Iterable[Path], labels: dict[str, Any]) -> dict[str, dict[int, int]]:
    """Requests per hour (epoch hour) of each labelled campaign, read from replay files (any format)."""
    group_of: dict[str, str] = labels["accounts"]
    campaigns = set(labels.get("campaign_start", {}))
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for event in ReplaySource(list(paths), lambda _rejected: None, window_s=0.0):
        group = group_of.get(event.account_id, "")
        if group in campaigns:
            hour = int(event.ts // 3600)
            counts[group][hour] = counts[group].get(hour, 0) + 1
    return dict(counts)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def pr_figure(points: list[ThresholdPoint]) -> Figure:
    """Precision and recall against the score threshold, and the precision-recall curve."""
    figure = Figure(figsize=(10, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    thresholds = [p.threshold for p in points]
    left.plot(thresholds, [p.precision for p in points], marker=".", label="precision")
    left.plot(thresholds, [p.recall for p in points], marker=".", label="recall")
    left.set(xlabel="alert score threshold", ylabel="account-level value", ylim=(0, 1.05),
             title="Precision and recall by threshold")
    left.legend()
    right.plot([p.recall for p in points], [p.precision for p in points], marker=".")
    right.set(xlabel="recall", ylabel="precision", xlim=(0, 1.05), ylim=(0, 1.05), title="Precision-recall")
    if not points:
        for axes in (left, right):
            axes.text(0.5, 0.5, "no alerts", ha="center", transform=axes.transAxes)
    return figure


def ttd_figure(evaluation: Evaluation) -> Figure:
    """Time to detect per campaign (hours); campaigns not caught are marked."""
    figure = Figure(figsize=(8, 0.5 + 0.45 * max(len(evaluation.campaigns), 2)), layout="constrained")
    axes = figure.subplots()
    names = [c.group for c in evaluation.campaigns]
    hours = [(c.time_to_detect_s or 0.0) / 3600.0 for c in evaluation.campaigns]
    colours = [PALETTE[i % len(PALETTE)] if c.time_to_detect_s is not None else "#bbbbbb"
               for i, c in enumerate(evaluation.campaigns)]
    axes.barh(names, hours, color=colours)
    for row, campaign in enumerate(evaluation.campaigns):
        text = "not caught" if campaign.time_to_detect_s is None else f"{hours[row]:.1f} h"
        axes.text(hours[row], row, f" {text}", va="center")
    axes.invert_yaxis()
    axes.set(xlabel="hours from the campaign's first request to its first alert", title="Time to detect")
    axes.set_xlim(0, max(hours + [1.0]) * 1.25)
    return figure


def timeline_figure(traffic: dict[str, dict[int, int]], alerts: list[dict[str, Any]],
                    labels: dict[str, Any]) -> Figure:
    """Each campaign's requests per hour, with a vertical marker at every alert version's detection time
    (in the colour of the campaign most of its accounts belong to; black for other alerts)."""
    figure = Figure(figsize=(11, 4.5), layout="constrained")
    axes = figure.subplots()
    colour = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(sorted(labels.get("campaign_start", {})))}
    for group in sorted(traffic):
        hours = sorted(traffic[group])
        axes.plot([_when(h * 3600.0) for h in hours], [traffic[group][h] for h in hours], drawstyle="steps-post",
                  color=colour.get(group, "#555555"), label=group)
    group_of: dict[str, str] = labels["accounts"]
    for alert in alerts:
        group = alert_group(alert, group_of)
        axes.axvline(_when(parse_time(alert["detected_at"], "detected_at")), color=colour.get(group, "black"),
                     linestyle=":" if group in colour else "--", linewidth=1.2, alpha=0.8)
    axes.set(xlabel="event time (UTC)", ylabel="requests per hour",
             title="Campaign traffic and alerts (dotted lines: alert versions)")
    if traffic:
        axes.legend(loc="upper left", fontsize="small")
    axes.xaxis_date("UTC")
    figure.autofmt_xdate()
    return figure


def _when(ts: float) -> float:
    return float(date2num(datetime.fromtimestamp(ts, tz=UTC)))


def write_report(out_dir: Path, alerts: list[dict[str, Any]], labels: dict[str, Any],
                 events: list[Path] | None = None, evaluation: Evaluation | None = None) -> Report:
    """Write pr.png, time_to_detect.png, timeline.png (with ``events``), metrics.json and report.html."""
    out_dir.mkdir(parents=True, exist_ok=True)
    evaluation = evaluation or evaluate(alerts, labels)
    points = threshold_curve(alerts, labels)
    figures = {"precision_recall": pr_figure(points), "time_to_detect": ttd_figure(evaluation)}
    if events:
        figures["timeline"] = timeline_figure(hourly_campaign_traffic(events, labels), alerts, labels)
    images = {name: _png(figure) for name, figure in figures.items()}
    report = Report(out_dir / "report.html", metrics=out_dir / "metrics.json")
    for name, data in images.items():
        report.images[name] = out_dir / f"{name}.png"
        report.images[name].write_bytes(data)
    metrics = evaluation.as_dict() | {"threshold_curve": [p.__dict__ for p in points]}
    report.metrics.write_bytes(orjson.dumps(metrics, option=orjson.OPT_INDENT_2))  # type: ignore[union-attr]
    report.html.write_text(render_html(evaluation, alerts, labels, images), encoding="utf-8")
    return report


_CSS = ("body{font-family:system-ui,sans-serif;margin:2em;max-width:72em;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
        "text-align:left}th{background:#f3f3f3}img{max-width:100%;border:1px solid #eee}.num{text-align:right}")


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(evaluation: Evaluation, alerts: list[dict[str, Any]], labels: dict[str, Any],
                images: dict[str, bytes]) -> str:
    """The report page: metrics, campaigns, latest alert of each campaign, and the plots inline."""
    summary = _table(["precision", "recall", "F1", "accounts flagged", "true positives"], [[
        f"{evaluation.precision:.3f}", f"{evaluation.recall:.3f}", f"{evaluation.f1:.3f}", evaluation.flagged,
        evaluation.true_positives]])
    campaigns = _table(["campaign", "accounts", "detected", "recall", "time to detect"], [[
        c.group, c.accounts, c.detected, f"{c.recall:.2f}",
        "not caught" if c.time_to_detect_s is None else f"{c.time_to_detect_s / 60:.0f} min"]
        for c in evaluation.campaigns])
    fps = _table(["group", "false-positive accounts"],
                 [[g, n] for g, n in sorted(evaluation.false_positives_by_group.items())] or [["none", 0]])
    latest: dict[str, dict[str, Any]] = {}
    for alert in alerts:
        if alert["version"] >= latest.get(alert["campaign_id"], {"version": -1})["version"]:
            latest[alert["campaign_id"]] = alert
    group_of: dict[str, str] = labels["accounts"]
    detected = _table(["campaign id", "versions", "severity", "score", "accounts", "mostly", "detected at",
                       "summary"], [[a["campaign_id"], a["version"], a["severity"], a["score"], len(a["accounts"]),
                                     alert_group(a, group_of), a["detected_at"], a["summary"]]
                                    for a in sorted(latest.values(), key=lambda a: -a["score"])])
    figures = "".join(
        f'<h2>{html.escape(name.replace("_", " ").capitalize())}</h2><img alt="{html.escape(name)}" '
        f'src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}">' for name, data in images.items())
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>hydrawatch evaluation</title>'
            f"<style>{_CSS}</style></head><body><h1>hydrawatch evaluation</h1>"
            f"<p>{len(alerts)} alert versions, {len(latest)} campaigns alerted, "
            f"{len(labels['accounts'])} labelled accounts.</p>{summary}<h2>Campaigns</h2>{campaigns}"
            f"<h2>False positives by group</h2>{fps}<h2>Alerted campaigns (latest version)</h2>{detected}"
            f"{figures}</body></html>\n")
