"""The monitors and the forecasts in words: each sentence written once, for every page that
says it (the model card, the results index, the figures' subtitles). Plain Python: every
rule's environment can import it.
"""

from __future__ import annotations

WEATHER_WORDS = {
    "observed": "its weather observed (a nowcast: the counts are not published yet)",
    "unknown": "its weather not yet known (forecast from the calendar and the recent level)",
}


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def live_error_backtest(summary: dict) -> str:
    """How far the live-error alarm can be trusted, as its backtest measured it."""
    quiet, change = summary["quiet_period"], summary["known_change"]
    rule = (
        f"The live-error alarm fires when the forecasts of the last {summary['window_days']} "
        f"days of published counts missed by more than {summary['max_ratio']:g} times the "
        "error expected of them when they were issued."
    )
    if not quiet["month_ends"]:
        false_alarms = "Its false alarms are not measured: the backtest has no quiet month end."
    else:
        dates = f" ({', '.join(quiet['alarms'])})" if quiet["alarms"] else ""
        false_alarms = (
            f"Run as of every month end of the backtest, it fired at {quiet['alarm_month_ends']} "
            f"of {quiet['month_ends']} month ends in the quiet period {quiet['start']} to "
            f"{quiet['end']} ({percent(quiet['false_alarm_rate'])}){dates}."
        )
    if not change["monitored_before"]:
        delay = (
            f"Its delay after {change['date']} ({change['description']}) is not measured: the "
            "backtest starts after it."
        )
    elif change["first_alarm"] is None:
        delay = f"It did not fire after {change['date']} ({change['description']})."
    else:
        delay = (
            f"After {change['date']} ({change['description']}) it first fired for the month "
            f"ending {change['first_alarm']}, as soon as its counts were published "
            f"({change['published']}, {change['days_after']} days after {change['date']})."
        )
    return " ".join([rule, false_alarms, delay])


def live_error_state(state: dict) -> str:
    """The live-error alarm now, with its numbers."""
    if not state["forecasts"]:
        return (
            "No published forecast has been scored yet: the forecasts of the "
            f"{state['window_days']} days up to {state['as_of']} were not issued before their "
            "counts came."
        )
    verdict = "**The alarm is on.**" if state["alarm"] else "No alarm."
    return (
        f"{verdict} The {state['forecasts']:,} published forecasts of the {state['window_days']} "
        f"days up to {state['as_of']} missed by {state['mae']:,.0f} bicycles a day on average, "
        f"{state['ratio']:.2f} times the {state['expected_mae']:,.0f} expected when they were "
        f"issued (the alarm fires above {state['max_ratio']:g}); "
        f"{percent(state['coverage'])} of the counts fell inside their intervals."
    )


def drift_backtest(summary: dict) -> str:
    """How often the drift check alarmed where nothing changed, on any compared feature."""
    if "note" in summary:
        return f"The drift check is not backtested yet: {summary['note']}"
    quiet = summary["quiet_period"]
    months = summary["month_ends"]
    checked = (
        f"The drift check, run as of each of the {months['count']} month ends from "
        f"{months['first']} to {months['last']},"
    )
    if not quiet["month_ends"]:
        return f"{checked} has no month end in its quiet period: {quiet['note']}"
    return (
        f"{checked} alarmed on some feature at {quiet['alarm_month_ends']} of the "
        f"{quiet['month_ends']} month ends of the quiet period {quiet['start']} to "
        f"{quiet['end']} ({percent(quiet['false_alarm_rate'])}), counting every compared "
        f"feature ({', '.join(f'`{name}`' for name in quiet['features'])}): every alarm there "
        "is a false one."
    )
