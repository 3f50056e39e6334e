"""Plain-language sentences for linkage results.

Rules from the README ("Why a link is not proof"): say "teams with higher X had higher Y", never
that one thing causes another; always give n, the interval and whether the link
survives false-discovery control; name small n and the limits of power.
"""
from __future__ import annotations

import math

from ._util import fmt

SMALL_N = 30  # below this many pairs an estimate is flagged as very uncertain


def timing(lag: int) -> str:
    """Words for the lag between the EX wave and the CX wave."""
    if lag == 0:
        return "in the same wave"
    if lag == 1:
        return "in the following wave"
    return f"{lag} waves later"


def _stats(r: float, lo: float, hi: float, n: int, confidence: float) -> str:
    return (f"r = {fmt(r)}, {round(confidence * 100):d}% CI {fmt(lo)} to {fmt(hi)}, "
            f"n = {n} team-waves")


def linkage_sentence(ex: str, cx: str, lag: int, r: float, lo: float, hi: float, q: float,
                     n: int, mdr: float, linked: bool, confidence: float,
                     reverse: tuple[float, bool] | None = None) -> str:
    """One paragraph describing one EX x CX x lag test for non-statisticians."""
    when = timing(lag)
    if n < 4 or math.isnan(r):
        return (f"Too few team-waves with both {ex} and {cx} {when} (n = {n}) to estimate a link.")
    more = "higher" if r > 0 else "lower"
    stats_txt = _stats(r, lo, hi, n, confidence)
    if linked:
        text = (f"Teams with higher {ex} had {more} {cx} {when} ({stats_txt}); this link survives "
                "false-discovery control. It shows association, not cause.")
    elif lo > 0 or hi < 0:
        text = (f"Teams with higher {ex} had {more} {cx} {when} ({stats_txt}), but with this many "
                f"tests the link does not survive false-discovery control (q = {fmt(q, 3)}); "
                "treat it as a lead to check, not a finding.")
    else:
        detect = f"|r| \u2265 {fmt(mdr)}" if not math.isnan(mdr) else "very strong links"
        text = (f"No link was found between {ex} and {cx} {when} ({stats_txt}), but with {n} "
                f"team-waves only links of {detect} could be reliably detected; "
                "no link found is not the same as no link.")
    if n < SMALL_N:
        text += f" With only {n} team-waves the estimate is very uncertain."
    if reverse is not None and lag > 0:
        r_rev, rev_linked = reverse
        if rev_linked:
            text += (f" The reverse direction is linked too ({cx} first, {ex} {when}: "
                     f"r = {fmt(r_rev)}), so the association may run both ways.")
        elif linked:
            text += f" The reverse direction ({cx} first, {ex} {when}) was not linked."
    if linked:
        text += " Other differences between teams (location, product mix) may explain part of it."
    return text


def linked_sentence(ex: str, cx: str, lag: int, r: float, lo: float, hi: float, n: int, confidence: float,
                    reverse: tuple[float, bool] | None = None) -> str:
    """One sentence about one linked pair, without the caveats every pair shares (those are said once)."""
    more = "higher" if r > 0 else "lower"
    text = (f"Teams with higher {ex} had {more} {cx} {timing(lag)} (r = {fmt(r)}, "
            f"{round(confidence * 100):d}% interval {fmt(lo)} to {fmt(hi)}, {n} team-waves)")
    if reverse is not None and lag > 0:
        r_rev, rev_linked = reverse
        text += (f"; the reverse direction ({cx} first) is linked too (r = {fmt(r_rev)}), so it may run both ways"
                 if rev_linked else f"; the reverse direction ({cx} first) is not linked (r = {fmt(r_rev)})")
    return text + "."


def driver_sentence(driver: str, outcome: str, share: float, lo: float, hi: float, top_share: float,
                    top: int = 3) -> str:
    """One sentence about one driver's share of the explained variance, its interval and rank stability."""
    words = {2: "two", 3: "three", 4: "four", 5: "five"}
    ranked = "ranked first" if top == 1 else f"ranked in the top {words.get(top, top)}"
    return (f"{driver[:1].upper()}{driver[1:]} explains {share:.0f}% of the explained variance in {outcome} "
            f"across teams (interval {lo:.0f}% to {hi:.0f}%); it {ranked} in {100 * top_share:.0f}% of resamples.")
