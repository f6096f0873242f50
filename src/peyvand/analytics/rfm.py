"""RFM: recency, frequency and monetary scores, and the named cells of recency × frequency.

Scores are quintiles over the customers who bought in the window: a customer's score is
1 + ⌊5 × rank / n⌋, where rank is how many customers are strictly worse (0 for the worst) and n
how many were scored. Ties share a score, so the five scores need not hold a fifth each (when
most customers bought once, they all score 1 on frequency). Recency is days since the last
purchase (fewer is better); frequency, purchase days in the window (a day's orders count
once); monetary, their net value in the base currency.

The cells, by recency score (rows) and frequency score (columns), the grid most RFM tools
use, folded into eight cells:

====  ===========  ===========  ===========  ===========  ===========
R\\F   1            2            3            4            5
====  ===========  ===========  ===========  ===========  ===========
5     new          potential    potential    champions    champions
4     new          potential    potential    loyal        loyal
3     hibernating  hibernating  potential    loyal        loyal
2     hibernating  hibernating  at risk      at risk      can't lose
1     lost         lost         at risk      at risk      can't lose
====  ===========  ===========  ===========  ===========  ===========

A customer who bought before the window but not in it is **lost**; one who never bought has
no cell.
"""

from __future__ import annotations

from peyvand.customers.models import RfmCell

SCORES = (1, 2, 3, 4, 5)

# recency score -> the cell of each frequency score, 1 to 5
GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: (RfmCell.NEW, RfmCell.POTENTIAL, RfmCell.POTENTIAL, RfmCell.CHAMPIONS, RfmCell.CHAMPIONS),
    4: (RfmCell.NEW, RfmCell.POTENTIAL, RfmCell.POTENTIAL, RfmCell.LOYAL, RfmCell.LOYAL),
    3: (RfmCell.HIBERNATING, RfmCell.HIBERNATING, RfmCell.POTENTIAL, RfmCell.LOYAL, RfmCell.LOYAL),
    2: (RfmCell.HIBERNATING, RfmCell.HIBERNATING, RfmCell.AT_RISK, RfmCell.AT_RISK, RfmCell.CANT_LOSE),
    1: (RfmCell.LOST, RfmCell.LOST, RfmCell.AT_RISK, RfmCell.AT_RISK, RfmCell.CANT_LOSE),
}
# Best first, as the dashboard lists them.
CELL_ORDER: tuple[str, ...] = (
    RfmCell.CHAMPIONS,
    RfmCell.LOYAL,
    RfmCell.POTENTIAL,
    RfmCell.NEW,
    RfmCell.AT_RISK,
    RfmCell.CANT_LOSE,
    RfmCell.HIBERNATING,
    RfmCell.LOST,
)


def cell_of(recency: int, frequency: int) -> str:
    return str(GRID[recency][frequency - 1])


def score(rank: int, scored: int) -> int:
    """The quintile score of the customer with ``rank`` customers below them (the rule the
    engine's expression follows; here for tests and readers)."""
    return 1 + (5 * rank) // scored
