"""Excel exports of a round, laid out like the organisers' spreadsheets.

The score sheet has one row per entry and one column per judge × criterion, then each
judge's total and the entry's value under every method; the ranking lists the entries in
the round's method order with their statistics. Entrant text is defused so a spreadsheet
never runs it as a formula.
"""

import tempfile
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.models import User
from registration.exports import defuse
from registration.models import Entry

from . import selectors
from .aggregation import Method
from .models import Round
from .services import RoundResults, round_standing, submitted_cards

METHOD_NAMES = {
    Method.WEIGHTED_MEAN: lambda: _("Weighted mean"),
    Method.TRIMMED_MEAN: lambda: _("Trimmed mean"),
    Method.MEDIAN: lambda: _("Median"),
    Method.JUDGE_NORMALISED: lambda: _("Judge-normalised"),
}


def _save(workbook: Workbook) -> bytes:
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read()


def _entries(entry_ids) -> dict[int, Entry]:
    return Entry.objects.select_related("track").in_bulk(list(entry_ids))


def score_sheet(round_: Round, results: RoundResults) -> bytes:
    """One row per entry with a card: every judge's score per criterion, their totals, and every method's value."""
    criteria = selectors.criteria_of(round_)
    cards = submitted_cards(round_)
    scores: dict[int, dict[int, dict]] = defaultdict(dict)  # entry → judge → criterion → score
    for card in cards:
        scores[card.entry_id][card.judge_id] = card.scores
    judges = User.objects.in_bulk({card.judge_id for card in cards})
    judge_order = sorted(judges.values(), key=lambda judge: (judge.display_name, judge.pk))
    ordered = results.of(round_.method).overall
    entries = _entries(ranked.entry.entry_id for ranked in ordered)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Scores"))
    header = [_("Reference"), _("Title"), _("Track")]
    header += [f"{judge.display_name} · {criterion.name}" for judge in judge_order for criterion in criteria]
    header += [_("%(judge)s · total") % {"judge": judge.display_name} for judge in judge_order]
    header += [METHOD_NAMES[method]() for method in Method]
    header += [_("Cards"), _("Spread (standard deviation)"), _("Judges disagree")]
    sheet.append(header)
    for ranked in ordered:
        entry_id = ranked.entry.entry_id
        entry = entries[entry_id]
        row = [entry.reference, defuse(entry.title), entry.track.name if entry.track else ""]
        for judge in judge_order:
            card_scores = scores[entry_id].get(judge.pk)
            row += [float(card_scores[c.pk]) if card_scores else None for c in criteria]
        row += [ranked.entry.judge_totals.get(judge.pk) for judge in judge_order]
        row += [results.of(method).entries[entry_id].value for method in Method]
        row += [ranked.entry.card_count, ranked.entry.spread_std, _("yes") if ranked.entry.disagreement else ""]
        sheet.append(row)
    return _save(workbook)


def ranking_sheet(round_: Round, results: RoundResults) -> bytes:
    """The round's standing (overall), with the statistics the results page shows.

    When the round weighs in the audience vote or a live signal, the rank and total are the
    weighted ones, followed by the judges' value and each weighted part (count and value on the
    scale). Raises ``ValidationError`` when the standing cannot be computed.
    """
    criteria = selectors.criteria_of(round_)
    standing = round_standing(round_, results=results)
    outcomes = selectors.outcomes_of(round_)
    entries = _entries(place.entry.entry_id for place in standing.overall)
    group_ranks = {place.entry.entry_id: place.rank for group in standing.by_group.values() for place in group}
    parts_header: list[str] = []
    if round_.is_weighted:
        parts_header.append(_("Judges' scores"))
        if round_.audience_weight > 0:
            parts_header += [_("Audience votes"), _("Audience votes → on the scale")]
        if round_.signals_weight > 0:
            measure = round_.get_signals_measure_display()
            parts_header += [measure, _("%(measure)s → on the scale") % {"measure": measure}]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ranking"))
    sheet.append(
        [
            _("Rank"),
            _("Rank in track"),
            _("Reference"),
            _("Title"),
            _("Track"),
            _("Total") if round_.is_weighted else METHOD_NAMES[Method(round_.method)](),
            *parts_header,
            _("Cards"),
            *[criterion.name for criterion in criteria],
            _("Spread (range)"),
            _("Spread (standard deviation)"),
            _("Judges disagree"),
            _("Advanced"),
        ]
    )
    for place in standing.overall:
        line = place.entry
        entry_result = line.result
        entry = entries[line.entry_id]
        outcome = outcomes.get(entry.pk)
        parts: list = []
        if round_.is_weighted:
            parts.append(line.judges_value)
            for part in (line.audience, line.signal):
                if part is not None:
                    parts += [part.count, part.value]
        sheet.append(
            [
                place.rank,
                group_ranks.get(entry.pk),
                entry.reference,
                defuse(entry.title),
                entry.track.name if entry.track else "",
                line.value,
                *parts,
                entry_result.card_count,
                *[entry_result.criterion_means[criterion.pk] for criterion in criteria],
                entry_result.spread_range,
                entry_result.spread_std,
                _("yes") if entry_result.disagreement else "",
                "" if outcome is None else (_("yes") if outcome.advanced else _("no")),
            ]
        )
    return _save(workbook)
