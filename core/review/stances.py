"""Who says what: each pathway's stance on each shared decision topic, and where the pathways disagree.

Topics are data (data/topics.yaml); a pack's statements name the topics they speak to, with a stance and, where
the article gives one, a number (weeks, score points). A topic none of a pack's statements names is "not
addressed" by that pathway. Two pathways disagree on a topic when they take different stances, or the same stance
with different numbers.
"""

import functools
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from core.engine.data_files import load_file
from core.engine.guideline import Guideline
from core.engine.packs import DATA_ROOT
from core.errors import DataError, Problem
from core.model import Frozen

TOPICS_FILE = DATA_ROOT / "topics.yaml"
STANCE_COLUMNS = ["topic", "pathway", "stance", "value", "statement", "citations"]
NOT_ADDRESSED = "not addressed"
STANCE_WORDS = {"recommend": "recommends", "allow": "allows", "avoid": "advises against", NOT_ADDRESSED: NOT_ADDRESSED}


class Topic(Frozen):
    label: str
    unit: str | None = None


class TopicList(Frozen):
    topics: dict[str, Topic]


@functools.cache
def load_topics(path: Path = TOPICS_FILE) -> dict[str, Topic]:
    return load_file(path, TopicList).topics


def topic_problems(g: Guideline, topics: dict[str, Topic]) -> list[Problem]:
    """Topics a pack names that the shared list lacks, and numbers given for a topic without a unit."""
    problems = []
    for n, s in enumerate(g.statements):
        for t in s.topics:
            where = f"statements.yaml: statements.{n} ({s.id})"
            if t.topic not in topics:
                problems.append(Problem(field=where, message=f"topic `{t.topic}` is not in data/topics.yaml"))
            elif t.value is not None and topics[t.topic].unit is None:
                problems.append(Problem(field=where, message=f"topic `{t.topic}` takes no number"))
    return problems


def stance_rows(guidelines: Sequence[Guideline], topics: dict[str, Topic] | None = None) -> pd.DataFrame:
    """One row per topic, pathway and statement that speaks to it (one `not addressed` row where none does)."""
    topics = topics if topics is not None else load_topics()
    problems = [p for g in guidelines for p in topic_problems(g, topics)]
    if problems:
        raise DataError(problems)
    rows = []
    for topic in topics:
        for g in guidelines:
            found = [(s, t) for s in g.statements for t in s.topics if t.topic == topic]
            for s, t in found:
                citations = ";".join(str(c) for c in s.citations)
                rows.append([topic, g.info.id, t.stance, t.value, s.id, citations])
            if not found:
                rows.append([topic, g.info.id, NOT_ADDRESSED, None, "", ""])
    frame = pd.DataFrame(rows, columns=STANCE_COLUMNS)
    frame["value"] = frame["value"].astype("Int64")
    return frame


def _position(rows: pd.DataFrame) -> frozenset[tuple[str, object]]:
    return frozenset((r.stance, None if pd.isna(r.value) else int(r.value)) for r in rows.itertuples())


def disagreements(stances: pd.DataFrame) -> list[str]:
    """Topics on which pathways that address them take different positions, in the topics' order."""
    found = []
    for topic, rows in stances.groupby("topic", sort=False):
        addressed = rows[rows["stance"] != NOT_ADDRESSED]
        positions = {_position(r) for _, r in addressed.groupby("pathway", sort=False)}
        if len(positions) > 1:
            found.append(str(topic))
    return found


def stance_words(rows: pd.DataFrame, topic: Topic) -> str:
    """One pathway's position on a topic in words: `recommends (6 weeks); advises against`."""
    words = []
    for r in rows.itertuples():
        text = STANCE_WORDS[r.stance]
        if not pd.isna(r.value):
            text += f" ({int(r.value)} {topic.unit or ''})".replace(" )", ")")
        if text not in words:
            words.append(text)
    return "; ".join(words)


def stance_matrix(stances: pd.DataFrame, topics: dict[str, Topic] | None = None) -> pd.DataFrame:
    """Topics down, pathways across, each cell the stance in words; disagreements first and marked in words."""
    topics = topics if topics is not None else load_topics()
    split = set(disagreements(stances))
    order = [t for t in topics if t in split] + [t for t in topics if t not in split]
    pathways = list(dict.fromkeys(stances["pathway"]))
    records = []
    for topic in order:
        rows = stances[stances["topic"] == topic]
        record = {"topic": topics[topic].label, "pathways": "disagree" if topic in split else "agree or silent"}
        for p in pathways:
            record[p] = stance_words(rows[rows["pathway"] == p], topics[topic])
        records.append(record)
    return pd.DataFrame(records)
