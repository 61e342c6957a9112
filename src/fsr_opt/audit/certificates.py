"""The optimality certificates: a failing one proves that a better allocation exists.

The contract's objective is lexicographic: spend the budgets first, then come as close as
possible to the historical pattern (each service line's target T_s). An allocation that keeps
every rule can still miss that optimum; these checks exhibit the better allocation when they
fail. They look at one service line, or one pair of lines, at a time: passing them is a
necessary condition of the optimum, not a proof of it (with a positive minimum, reshuffling
the funded sets of several lines at once could in principle do better). No solver is run.
"""

from __future__ import annotations

from fsr_opt.audit.codes import CheckCode
from fsr_opt.audit.evidence import Evidence, Findings, ServiceLine
from fsr_opt.audit.report import Violation
from fsr_opt.audit.wording import euros, exact_euros, labelled
from fsr_opt.core.i18n import _, ngettext
from fsr_opt.core.schema import ResidualScope

__all__ = ["money_left", "residual_left", "transfer_improves"]


def money_left(evidence: Evidence) -> Findings:
    """No area leaves money that one of its service lines could take within the rules.

    A line could take more when some total S' with S_s < S' <= S_s + L (L the area's unspent
    money) lies in one of its segments: the same or more units, at one equal share.
    """
    found = []
    for total in evidence.area_totals():
        left = total.budget - total.awarded  # what the riparto left (the residual phase apart)
        if left < 1:
            continue
        for code, line in evidence.lines.items():
            if line.area != total.area:
                continue
            now = line.total
            for option in line.funded_sets:
                low = max(now + 1, option.lower)
                high = min(option.upper, now + left)
                if low <= high:
                    found.append(Violation(
                        CheckCode.MONEY_LEFT,
                        _("service {service} (area {area})").format(service=code,
                                                                    area=total.area),
                        _("a total up to {amount}").format(amount=euros(high)), euros(now),
                        _("area {area} leaves {left} EUR unspent, and service line {line} "
                          "could take a total of {high} EUR instead of {now} EUR ({units} at an "
                          "equal share) without breaking any rule").format(
                            area=total.area, left=euros(left), line=code, high=euros(high),
                            now=euros(now), units=ngettext(
                                "{count} unit funded", "{count} units funded",
                                option.units).format(count=option.units)),
                        area=total.area, service=code))
                    break
    return Findings(len(evidence.lines), found)


def transfer_improves(evidence: Evidence) -> Findings:
    """No cent moved from one line to another of its area brings both closer to target.

    Only lines whose total lies in a segment (a valid funded set) and stays in it after
    the move are considered: a line in no segment already fails a rule check. Each line's
    deviation |S_s - T_s| is convex in S_s, so if no one-cent move improves, no larger
    move of the same pair does. Both lines must end closer, not only their sum: targets are
    fractions of a cent, and the cent rounding of an exact optimum can leave the sum a
    fraction of a cent above the best integer split with no line worse off by a whole cent.
    """
    found = []
    areas = {line.area for line in evidence.lines.values()}
    for area in [a.code for a in evidence.rules.areas if a.code in areas]:
        lines = [line for line in evidence.lines.values() if line.area == area]
        donors: list[ServiceLine] = []
        receivers: list[ServiceLine] = []
        for line in lines:
            now, target = line.total, line.target
            funded = line.funded_set_at(now)
            if funded is None:
                continue
            if funded.holds(now - 1) and abs(now - 1 - target) < abs(now - target):
                donors.append(line)
            if funded.holds(now + 1) and abs(now + 1 - target) < abs(now - target):
                receivers.append(line)
        # No line is both: the cent brings it closer going down only when it is more than
        # half a cent above its target, going up only when more than half a cent below.
        for donor in donors:
            for receiver in receivers:
                found.append(Violation(
                    CheckCode.TRANSFER_IMPROVES,
                    _("services {donor} -> {receiver} (area {area})").format(
                        donor=donor.code, receiver=receiver.code, area=area),
                    labelled([(donor.code, euros(donor.total - 1)),
                              (receiver.code, euros(receiver.total + 1))]),
                    labelled([(donor.code, euros(donor.total)),
                              (receiver.code, euros(receiver.total))]),
                    _("area {area}: {donor} gets {donor_total} EUR against a target of "
                      "{donor_target} EUR and {receiver} {receiver_total} EUR against "
                      "{receiver_target} EUR; moving one cent from {donor} to {receiver} brings "
                      "both closer to their {year} targets, keeping their funded units").format(
                        area=area, donor=donor.code, donor_total=euros(donor.total),
                        donor_target=exact_euros(donor.target), receiver=receiver.code,
                        receiver_total=euros(receiver.total),
                        receiver_target=exact_euros(receiver.target),
                        year=evidence.rules.history_year),
                    area=area, service=donor.code, to_service=receiver.code))
    return Findings(len(evidence.lines), found)


def residual_left(evidence: Evidence) -> Findings:
    """No pool leaves money its units could take within the rules (a certificate).

    With a residual phase in the rule set, a pool that gives T while some set of its units
    could be given a total T' with T < T' <= what the riparto left, at one share of their
    needs, leaves money unassigned that the criteria give to the units that applied.
    """
    if evidence.scope is ResidualScope.NONE:
        return Findings(0, [])
    found = []
    for pool in evidence.pools:
        left = pool.available - pool.given
        if left < 1:
            continue
        for option in pool.sets(evidence.rules.minimum_award):
            low = max(pool.given + 1, option.lower)
            high = min(option.upper, pool.available)
            if low <= high:
                found.append(Violation(
                    CheckCode.RESIDUAL_LEFT, pool.subject,
                    _("residuals up to {amount}").format(amount=euros(high)), euros(pool.given),
                    _("{pool} leaves {left} EUR unassigned after residuals of {given} EUR, yet "
                      "its units that applied could receive {high} EUR at one share of what "
                      "they still lack ({units}) without breaking any rule"
                      ).format(pool=pool.subject, left=euros(left), given=euros(pool.given),
                               high=euros(high), units=ngettext(
                                   "{count} more unit funded", "{count} more units funded",
                                   option.units).format(count=option.units)),
                    area=pool.code))
                break
    return Findings(len(evidence.pools), found)
