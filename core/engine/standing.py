"""Where a patient stands in time: for each milestone still ahead, how many weeks are left on its own clock.

Each milestone is counted on its own `clock` (data/pathway.yaml), in the words the vocabulary gives that count
(`counts`): minimum PT in weeks of formal PT actually completed, so "week 8 with 4 weeks of PT" reads as two PT
weeks short.
"""

from core.engine.evaluation import Evaluation
from core.engine.guideline import Guideline
from core.model import Frozen

CLOCK_ENDED = (
    "The conservative-care timeline no longer applies: every outcome still possible ends conservative management"
)


class MilestoneAhead(Frozen):
    week: int
    label: str
    clock: str
    done: int  # weeks counted so far on this clock
    weeks_left: int
    sentence: str


def clock_applies(evaluation: Evaluation, g: Guideline) -> bool:
    """Whether the conservative milestones still concern this patient: not once every outcome still possible
    ends the course (an urgent referral does not wait for week 6 of PT)."""
    return not all(g.disposition(p.disposition).ends_course for p in evaluation.possible_dispositions)


def milestones_ahead(evaluation: Evaluation, g: Guideline) -> list[MilestoneAhead]:
    """The milestones not yet reached whose clock is known, soonest first by weeks left; none when the clock no
    longer applies."""
    case = evaluation.case
    if not clock_applies(evaluation, g):
        return []
    ahead = []
    for m in g.pathway.milestones:
        done = getattr(case, m.clock)
        if done is None or m.week <= done:
            continue
        left = m.week - done
        sentence = (
            f"{left} more week{'s' if left != 1 else ''} of {g.fields[m.clock].counted} to week {m.week} "
            f"({m.label}); {done} done."
        )
        ahead.append(
            MilestoneAhead(week=m.week, label=m.label, clock=m.clock, done=done, weeks_left=left, sentence=sentence)
        )
    return sorted(ahead, key=lambda a: (a.weeks_left, a.week))
