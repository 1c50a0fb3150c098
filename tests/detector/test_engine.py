"""The detector's evaluation bookkeeping: which accounts' signals are recomputed, and when."""

from __future__ import annotations

import copy

import numpy as np

from detector.engine import Detector
from hydrawatch.settings import Settings
from streams.events import parse_record

BASE_MS = 1_772_000_000_000


def _send(detector: Detector, account: str, count: int, start_s: float) -> None:
    for i in range(count):
        detector.process(parse_record({"ts": BASE_MS + int((start_s + i) * 1000), "account_id": account,
                                       "prompt": f"question {i} about the weather"}))


def _word(n: int) -> str:
    """A word of its own for each ``n`` (letters only, five of them)."""
    return "q" + "".join(chr(97 + n // 26**k % 26) for k in range(4))


def _detector() -> Detector:
    settings = Settings(db_url="")
    settings.detection.eval_interval_s = 10**9  # evaluations only when the test asks
    settings.detection.view_refresh_growth = 0.1
    settings.detection.view_refresh_max_age_s = 3600
    settings.detection.max_clock_jump_s = 0  # these tests step time by hand, a lone account at a time
    return Detector(settings)


def test_signals_are_recomputed_once_an_account_grew_or_aged() -> None:
    detector = _detector()
    _send(detector, "busy", 100, 0)
    _send(detector, "new", 2, 0)
    detector.evaluate()
    first = detector._views["busy"]
    assert first.events_at == 100

    _send(detector, "busy", 3, 200)   # +3 %: pending
    _send(detector, "new", 1, 200)    # a young account: any request counts
    detector.evaluate()
    assert detector._views["busy"] is first and "busy" in detector._dirty
    assert detector._views["new"].events_at == 3 and "new" not in detector._dirty

    _send(detector, "busy", 7, 300)   # +10 % in all
    detector.evaluate()
    assert detector._views["busy"].events_at == 110 and "busy" not in detector._dirty

    _send(detector, "busy", 1, 400)
    detector.evaluate()
    assert detector._views["busy"].events_at == 110
    _send(detector, "busy", 1, 4000)  # the view is now over an hour old
    detector.evaluate()
    assert detector._views["busy"].events_at == 112 and not detector._dirty


def test_a_quiet_account_is_not_recomputed() -> None:
    detector = _detector()
    _send(detector, "quiet", 20, 0)
    detector.evaluate()
    view = detector._views["quiet"]
    detector.process(parse_record({"ts": BASE_MS + 8_000_000, "account_id": "other", "prompt": "unrelated"}))
    detector.evaluate()
    assert detector._views["quiet"] is view


def test_a_replaced_account_state_is_recomputed() -> None:
    detector = _detector()
    _send(detector, "linked", 100, 0)
    detector.evaluate()
    replacement = copy.deepcopy(detector.accounts["linked"])  # e.g. a newer profile the linker received
    replacement.events += 1
    detector.put_account(replacement)
    detector.evaluate()
    assert detector._views["linked"].state is replacement and detector._views["linked"].events_at == 101


def test_a_first_sender_is_recomputed_once_others_resend_its_texts() -> None:
    """A fixed benchmark run first by one account: its prompts look novel until others re-send them, and its
    view must then say so even though it sent nothing new (a stale view made it look like a crew)."""
    detector = _detector()
    for i in range(30):
        detector.process(parse_record({"ts": BASE_MS + i * 1000, "account_id": "first",
                                       "prompt": f"Benchmark item {i}: what is the capital of region {i}?"}))
    detector.evaluate()
    assert detector._views["first"].recycled == 0.0
    for i in range(30):
        detector.process(parse_record({"ts": BASE_MS + 60_000 + i * 1000, "account_id": "second",
                                       "prompt": f"Benchmark item {i}: what is the capital of region {i}?"}))
    detector.evaluate()
    assert detector._views["first"].recycled == 1.0 and detector._views["second"].recycled == 1.0


def _quiet_campaign(after_s: int) -> tuple[Detector, list[dict], set[str], list[dict]]:
    """The hydra scenario replayed, one benign account then taken into its campaign below the growth threshold,
    and the input moved two days on (past the 24 h linking window: the campaign's group no longer shows)."""
    from scenario_builder import SCENARIOS, build, load

    events, groups = build(load(next(p for p in SCENARIOS if p.stem == "hydra_shared_card")), seed=1)
    settings = Settings(db_url="")
    settings.detection.announce_unnamed_after_s = after_s
    detector = Detector(settings)
    alerts = [alert for record in events for alert in detector.process(parse_record(record))]
    campaign = detector.tracker.campaigns[alerts[-1]["campaign_id"]]
    named = set(alerts[-1]["accounts"])
    outsider = next(a for a in sorted(detector._views) if groups[a] == "benign")
    assert len(named) >= 10 and outsider not in named  # +1 account on 10 or more: below the 20 % threshold
    assert detector.tracker.observe(named | {outsider}, campaign.score, campaign.severity, 0.0) is None
    quiet_until = max(record["ts"] for record in events) + 2 * 86_400_000
    later = []
    for ts in (quiet_until, quiet_until + 1_000 * settings.detection.eval_interval_s):  # evaluated at the first
        for account in ("late-1", "late-2", "late-3"):  # accounts past the pause: its end (``streams.clock``)
            later += detector.process(parse_record({"ts": ts, "account_id": account, "prompt": "hello there"}))
    return detector, alerts, named | {outsider}, later


def test_the_end_of_the_input_names_every_member_of_a_campaign_gone_quiet() -> None:
    """A campaign that took in accounts below the material-growth threshold and then went quiet (no group of it
    in the last evaluation) gets a last version at the end of the input naming every member: no account
    attributed to a campaign stays out of every alert."""
    detector, alerts, members, later = _quiet_campaign(after_s=0)  # 0: only at the end of the input
    assert later == []
    last = detector.finish()
    assert [a["campaign_id"] for a in last] == [alerts[-1]["campaign_id"]]
    assert last[0]["version"] == alerts[-1]["version"] + 1 and set(last[0]["accounts"]) == members
    assert [s["name"] for s in last[0]["signals"]] and last[0]["severity"] in {"medium", "high", "critical"}
    assert detector.finish() == []  # nothing left unnamed


def test_members_no_version_named_are_announced_once_the_last_version_is_old() -> None:
    """In a stream there is no end of the input: unnamed members are announced at the first evaluation after the
    campaign's last version is ``announce_unnamed_after_s`` old (event time), once."""
    detector, alerts, members, later = _quiet_campaign(after_s=6 * 3600)
    assert [(a["campaign_id"], a["version"]) for a in later] == [(alerts[-1]["campaign_id"], alerts[-1]["version"] + 1)]
    assert set(later[0]["accounts"]) == members
    campaign = detector.tracker.campaigns[alerts[-1]["campaign_id"]]
    assert campaign.announced_at == detector.now - detector.det.eval_interval_s  # the evaluation's event time
    assert detector.finish() == []


def test_every_retained_account_counts_in_the_network_and_client_population() -> None:
    """The (ASN, user agent) population counts every account whose signals were computed, suspicious or not;
    evicted and dropped accounts leave it, and a checkpoint written before it existed rebuilds it."""
    import pickle

    detector = _detector()
    detector.det.account_ttl_s = 3600
    for account, start in (("a", 0), ("b", 0), ("c", 5000)):
        detector.process(parse_record({"ts": BASE_MS + start * 1000, "account_id": account, "prompt": "hello there",
                                       "asn": 24940, "user_agent": "orchestr8/0.9.4"}))
        detector.evaluate()
        assert list(detector.clients.counts.values()) == [{"a": 1, "b": 2, "c": 1}[account]]  # c: a, b evicted
    detector.drop_account("c")
    assert detector.clients.counts == {}

    detector = _detector()
    for account in ("a", "b"):
        _send(detector, account, 1, 0)
        detector.process(parse_record({"ts": BASE_MS + 5000, "account_id": account, "prompt": "hi",
                                       "asn": 7, "user_agent": "curl/8"}))
    detector.evaluate()
    counts = dict(detector.clients.counts)
    assert list(counts.values()) == [2]
    state = pickle.loads(detector.checkpoint())
    del state["clients"]
    restored = _detector()
    restored.restore(pickle.dumps(state))
    assert restored.clients.counts == counts


def test_an_event_stamped_decades_ahead_does_not_stop_the_evaluations_or_empty_the_state() -> None:
    """One request whose gateway clock is wrong, amid a campaign's traffic: without the guard it would move the
    detector's time to 2100, so that no evaluation fell due again and every account looked idle for decades."""
    from scenario_builder import SCENARIOS, build, load

    events, _groups = build(load(next(p for p in SCENARIOS if p.stem == "hydra_shared_card")), seed=1)
    events.sort(key=lambda r: r["ts"])
    wrong = dict(events[len(events) // 3], ts="2100-01-01T00:00:00Z", event_id="wrong-clock")
    runs = []
    for records in (events, events[: len(events) // 3] + [wrong] + events[len(events) // 3:]):
        detector = Detector(Settings(db_url=""))
        alerts = [alert for record in records for alert in detector.process(parse_record(record))]
        runs.append((alerts + detector.finish(), detector))
    (clean, clean_detector), (guarded, detector) = runs
    assert clean, "the scenario should be caught"
    assert detector.evaluations == clean_detector.evaluations and detector.now == clean_detector.now
    assert [(a["campaign_id"], a["version"], a["accounts"]) for a in guarded] == [
        (a["campaign_id"], a["version"], a["accounts"]) for a in clean]
    assert detector.clock.outliers == 1 and len(detector.accounts) == len(clean_detector.accounts)


def test_a_request_delivered_twice_counts_once() -> None:
    detector = Detector(Settings(db_url=""))
    records = [{"ts": BASE_MS + i * 1000, "account_id": "a", "event_id": f"r{i}", "prompt": f"question {i}"}
               for i in range(5)]
    for record in records + records[2:4]:  # a producer's retry of two requests
        detector.process(parse_record(record))
    assert detector.accounts["a"].events == 5 and detector.accounts["a"].distinct_texts == 5
    assert detector.recent.repeats == 2


def test_a_checkpoint_written_before_the_clock_was_guarded_continues_from_its_time() -> None:
    import pickle

    detector = _detector()
    _send(detector, "a", 5, 0)
    state = pickle.loads(detector.checkpoint())
    del state["clock"], state["recent"]
    restored = Detector(Settings(db_url=""))
    restored.restore(pickle.dumps(state))
    assert restored.clock.now == detector.now and restored.clock.max_jump_s == 3600
    assert restored.recent.window_s == 600 and restored.recent.repeats == 0
    restored.process(parse_record({"ts": "2100-01-01T00:00:00Z", "account_id": "b", "prompt": "x"}))
    assert restored.now == detector.now and restored.clock.outliers == 1


def test_a_wrapper_too_widely_sent_to_link_every_pair_still_ties_its_re_users_and_makes_them_templated() -> None:
    settings = Settings(db_url="")
    settings.detection.eval_interval_s = 10**9
    settings.detection.max_key_accounts = 4  # a thousand-account farm, in miniature
    detector = Detector(settings)
    wrapper = "Produce an exhaustive analysis of the item below with every inference on its own line, then the result."
    viral = "Everyone is trying this one: explain the riddle below like a patient teacher would do for a child."
    for account in range(6):
        for i in range(10):  # the farm: its wrapper around new tasks, request after request
            detector.process(parse_record({"ts": BASE_MS + (account * 10 + i) * 1000, "account_id": f"farm-{account}",
                                           "prompt": f"{wrapper}\nItem: case {account}-{i} of the ledger audit."}))
        detector.process(parse_record({"ts": BASE_MS + 100_000 + account * 1000, "account_id": f"fan-{account}",
                                       "prompt": f"{viral} Riddle number {account} about a boat."}))
        for i in range(9):  # the trend once, then requests of their own
            detector.process(parse_record({"ts": BASE_MS + 200_000 + account * 100_000 + i * 1000,
                                           "account_id": f"fan-{account}", "prompt": f"recipe idea {account}.{i}"}))
    detector.evaluate()
    views = detector._views
    assert all(views[f"farm-{a}"].templated == 1.0 for a in range(6))
    assert all(views[f"fan-{a}"].templated == 0.0 for a in range(6))
    farm = [views[f"farm-{a}"] for a in range(6)]
    assert all(v.wrappers for v in farm)  # its sentences still link, through a few pairs each ...
    links = detector.link_graph(farm)
    low, high = np.divmod(links.pairs["shared_template"][0], 6)
    weights = links.pairs["shared_template"][1]
    assert set(low) | set(high) == set(range(6)) and (weights > 0.5).all()  # ... tying every re-user firmly
    assert [g.tolist() for g in links.together] == [list(range(6))]  # all its senders: one community


def test_a_card_too_widely_held_to_link_every_pair_still_makes_one_campaign_of_its_holders() -> None:
    settings = Settings(db_url="")
    settings.detection.eval_interval_s = 10**9
    settings.detection.max_key_accounts = 4  # a card of a twenty-thousand-account farm, in miniature
    detector = Detector(settings)
    for account in range(12):
        for i in range(12):  # light accounts, each asking for full reasoning about tasks of its own
            detector.process(parse_record({
                "ts": BASE_MS + (i * 12 + account) * 20_000, "account_id": f"farm-{account}",
                "payment_fingerprint": "pf-farm", "org_id": "o-farm" if account < 2 else None,
                "prompt": f"Think step by step and show your full chain of thought. Task {account}-{i}: how many "
                          f"ways can {i + 3} people sit around table {account}?"}))
    detector.evaluate()
    links = detector.link_graph(list(detector._views.values()))
    assert links.pairs["shared_payment"][0].size == 11  # a star over the twelve holders, not their 65 pairs
    assert [group.size for group in links.together] == [12]
    members = [c.members for c in detector.tracker.campaigns.values()]
    assert members == [{f"farm-{a}" for a in range(12)}]


def test_a_campaign_two_groups_of_one_evaluation_grow_gets_one_version_explaining_both(monkeypatch) -> None:
    """Two groups of one evaluation can each grow a campaign (cells of one crew in two communities): the
    evaluation emits one version, naming both groups' new accounts, scored and explained over both groups."""
    from scenario_builder import SCENARIOS, build, load

    import detector.engine as engine
    from detector.finder import candidate_of

    events, groups = build(load(next(p for p in SCENARIOS if p.stem == "hydra_shared_card")), seed=1)
    detector = Detector(Settings(db_url=""))
    alerts = [alert for record in events for alert in detector.process(parse_record(record))]
    campaign = detector.tracker.campaigns[alerts[-1]["campaign_id"]]
    crew = sorted(campaign.members)
    others = [a for a in sorted(detector._views) if groups[a] == "benign"][:6]
    half = len(crew) // 2
    cells = [crew[:half] + others[:3], crew[half:] + others[3:]]  # each grows it by 3 (20 % or more)

    def two_cells(views, *args, **kwargs):
        by_id = {v.state.account_id: v for v in views}
        for cell in cells:
            chosen = [by_id[a] for a in cell]
            yield candidate_of(chosen, *detector._profiles([v.state for v in chosen]), detector.index, detector.now,
                               detector.det, detector.clients)

    monkeypatch.setattr(engine, "find_groups", two_cells)
    for view in detector._views.values():  # every account reaches the member floor, as in the groups above
        view.suspicion = max(view.suspicion, detector.det.member_min_suspicion)
    monkeypatch.setattr(detector.det, "min_score", 0.0)
    (alert,) = detector.evaluate()
    assert alert["campaign_id"] == campaign.campaign_id and alert["version"] == alerts[-1]["version"] + 1
    assert set(alert["accounts"]) == set(crew) | set(others)
    linked = alert["signals"][[s["name"] for s in alert["signals"]].index("load_balancing")]["evidence"]
    assert linked["accounts"] == len(crew) + len(others)  # explained over both groups, not the last one alone
    assert campaign.version == alert["version"]


def test_accounts_running_shared_wrappers_stay_out_of_the_anomaly_reference() -> None:
    # 80 people writing their own prompts and a farm of 120 accounts sending one wrapper around new tasks: the farm,
    # unflagged and the larger part, must not define normal for the anomaly model
    detector = _detector()
    detector.det.anomaly_refit_s = 0
    wrapper = "You are a meticulous assistant. Work through the following task carefully and completely: "
    for a in range(80):
        for i in range(6):  # (words of their own: numbers are masked, so "thing 31" and "thing 62" are one sentence)
            detector.process(parse_record({"ts": BASE_MS + (a * 6 + i) * 1000, "account_id": f"person-{a}",
                                           "prompt": f"{_word(a)} wonders about {_word(100 + a * 6 + i)} today"}))
    for a in range(120):
        for i in range(6):
            detector.process(parse_record({"ts": BASE_MS + 600_000 + (a * 6 + i) * 1000, "account_id": f"farm-{a}",
                                           "prompt": wrapper + f"task {a * 6 + i}: summarise item {i} of set {a}."}))
    detector.evaluate()
    assert all(detector._views[f"farm-{a}"].templated >= 0.5 for a in range(120))
    assert detector.anomaly.fitted_on == 80
    assert set(detector.index.runners) == {f"farm-{a}" for a in range(120)}  # who sends the wrapper as a tool
    assert detector.index.runners["farm-0"] is detector.accounts["farm-0"].template_keys  # and how often each key


def test_an_allow_listed_account_running_a_template_is_no_runner_of_it() -> None:
    settings = Settings(db_url="")
    settings.detection.eval_interval_s = 10**9
    settings.allowlist.accounts = ["farm-0"]
    detector = Detector(settings)
    for a in range(3):
        for i in range(6):
            detector.process(parse_record({"ts": BASE_MS + (a * 6 + i) * 1000, "account_id": f"farm-{a}",
                                           "prompt": f"Work through the following task carefully and completely, "
                                                     f"showing every step: task {a * 6 + i} on item {i}."}))
    detector.evaluate()
    assert set(detector.index.runners) == {"farm-1", "farm-2"}


def test_accounts_idle_past_the_ttl_are_evicted_whenever_they_fall_due() -> None:
    """Evaluations skip the scan for idle accounts while none can be due (``detector.idle``), yet every account
    goes at the first evaluation after its TTL ran out: one seen first, one that came later, one handed over with
    an older last request (the streaming linker's ``put_account``) and, after a restore from a checkpoint written
    before the bound existed, the rest."""
    import pickle

    from features.account import AccountState

    detector = _detector()
    detector.det.account_ttl_s = 3600
    _send(detector, "first", 1, 0)
    _send(detector, "later", 1, 1800)
    detector.evaluate()
    assert detector.idle.oldest == detector.accounts["first"].last_ts
    _send(detector, "busy", 1, 3000)
    detector.evaluate()
    assert set(detector.accounts) == {"first", "later", "busy"}
    _send(detector, "busy", 1, 3700)  # "first" idle for 3,700 s
    detector.evaluate()
    assert set(detector.accounts) == {"later", "busy"}
    handed = AccountState("handed")
    handed.first_ts = handed.last_ts = detector.accounts["later"].last_ts - 900  # older than every retained one
    handed.events = 1
    detector.put_account(handed)
    _send(detector, "busy", 1, 4600)  # "handed" idle for 3,700 s, "later" for 2,800
    detector.evaluate()
    assert set(detector.accounts) == {"later", "busy"}

    state = pickle.loads(detector.checkpoint())
    del state["idle"]
    restored = _detector()
    restored.det.account_ttl_s = 3600
    restored.restore(pickle.dumps(state))
    _send(restored, "busy", 1, 5500)  # "later" idle for 3,700 s
    restored.evaluate()
    assert set(restored.accounts) == {"busy"}


def _crew_and_young_mate() -> tuple[Settings, list[dict]]:
    """Four crew accounts ask for full reasoning inside a wrapper; a fifth, two requests old, sent the wrapper's other
    sentences around tasks of its own, without the ask: under the floor alone, but no one else sends that wrapper.
    Sixty people ask about things of their own. Settings without the anomaly signal (suspicion from requests only)."""
    settings = Settings(db_url="")
    settings.detection.disabled_signals = ["anomaly"]  # its suspicion from its requests only: templated, no intent
    wrapper = ("Kindly go through the material below with great care and patience before you respond to anything at "
               "all. Close with the outcome on its own line, prefixed by the single word Outcome.")
    ask = "Show your complete step-by-step reasoning and every intermediate calculation in full detail."
    events = [{"ts": BASE_MS + (a * 6 + i) * 1000, "account_id": f"person-{a}",
               "prompt": f"{_word(a)} wonders about {_word(100 + a * 6 + i)} today"}
              for a in range(60) for i in range(6)]
    events += [{"ts": BASE_MS + 600_000 + (i * 4 + k) * 97_000, "account_id": f"crew-{k}",
                "prompt": f"{wrapper} {ask} Task: a tank holds {i * 7 + k} liters and leaks {k + 2} liters an hour."}
               for k in range(4) for i in range(8)]
    events += [{"ts": BASE_MS + 2_600_000 + i * 300_000, "account_id": "young",
                "prompt": f"{wrapper} Task: a train leaves at {i + 3} and covers {i * 11 + 40} miles; when?"}
               for i in range(2)]
    return settings, sorted(events, key=lambda e: e["ts"])


def test_with_wrapper_mates_a_young_account_on_the_crews_wrapper_joins_its_alert_under_the_suspicion_floor() -> None:
    settings, events = _crew_and_young_mate()

    def replay(mates: bool) -> tuple[Detector, list[dict]]:
        settings.detection.wrapper_mates = mates
        detector, alerts = Detector(settings), []
        for record in events:
            alerts += detector.process(parse_record(record))
        return detector, alerts + detector.finish()

    detector, alerts = replay(mates=True)
    young = detector._views["young"]
    assert young.templated == 1.0 and young.intent == 0.0
    assert young.suspicion < settings.detection.member_min_suspicion
    assert {"young", *(f"crew-{k}" for k in range(4))} <= set(alerts[-1]["accounts"])
    assert not any(a.startswith("person") for alert in alerts for a in alert["accounts"])
    _, alerts = replay(mates=False)  # off: an account is linked on its own suspicion only
    assert alerts and not any("young" in alert["accounts"] for alert in alerts)


def test_a_detector_resumed_from_a_checkpoint_judges_wrapper_mates_as_an_uninterrupted_one() -> None:
    settings, events = _crew_and_young_mate()
    wrapped = next(e["prompt"] for e in events if e["account_id"] == "crew-0").split(" Task:")[0]
    events += [{"ts": BASE_MS + 4_000_000 + (i * 4 + k) * 300_000, "account_id": f"crew-{k}",
                "prompt": f"{wrapped} Task: a pipe fills {i * 5 + k} buckets in {k + 3} minutes; how many an hour?"}
               for i in range(8) for k in range(4)]  # two more hours of the crew: evaluations after the judgement
    events.sort(key=lambda e: e["ts"])
    detector, before, cut = Detector(settings), [], 0
    while not detector.mate_memo.judged:  # cut right after the evaluation that first judged the young account
        before += detector.process(parse_record(events[cut]))
        cut += 1
    assert cut < len(events) and set(detector.mate_memo.judged) == {"young"}
    resumed = Detector(settings)
    resumed.restore(detector.checkpoint())
    assert resumed.mate_memo.judged == detector.mate_memo.judged and resumed.mate_memo.over == detector.mate_memo.over
    after = [a for record in events[cut:] for a in resumed.process(parse_record(record))] + resumed.finish()
    uninterrupted = [a for record in events[cut:] for a in detector.process(parse_record(record))] + detector.finish()
    assert "young" in before[-1]["accounts"]  # the evaluation that judged it a mate named it
    assert [(a["campaign_id"], a["version"], sorted(a["accounts"])) for a in after] == [
        (a["campaign_id"], a["version"], sorted(a["accounts"])) for a in uninterrupted]
    assert resumed.mate_memo.evaluations == detector.mate_memo.evaluations > 8  # two hours of judgements since
    assert resumed.mate_memo.judged == detector.mate_memo.judged and detector.mate_memo.judged["young"][2]
    assert {c: set(m.members) for c, m in resumed.tracker.campaigns.items()} == {
        c: set(m.members) for c, m in detector.tracker.campaigns.items()}
