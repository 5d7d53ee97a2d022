"""The objects of the bodies document (guidelines/bodies.yaml): evidence schemes, the common
strength scale, and bodies not encoded. Imported only when a run needs them (a level to check or
rank, a comparison of bodies), so the start-up of a plain `advise` does not pay for them.
"""

from typing import NamedTuple


class EvidenceScheme(NamedTuple):
    """How a guideline body grades a recommendation ([II, B], A-1b, category 2A), and where
    each grade sits on netadvisor's common strength scale (sorting and summaries only)."""

    id: str
    name: str
    patterns: tuple = ()  # compiled; each has a `grade` group. Empty: no level is written
    strength_of: dict = {}  # grade (NCCN: category) -> a word of the common scale
    written_as: str | None = None
    from_category: bool = False  # NCCN: the level is the recommendation's category and preference
    grades: dict = {}  # grade -> its definition, as a source gives it
    levels: dict = {}  # level of evidence -> its definition
    caveat: str | None = None
    sources: tuple = ()
    scale: dict = {}  # the common scale: word -> rank
    unstated: str | None = None  # the scale word a level no source states ranks with

    def grade_of(self, level: str | None) -> str | None:
        """The grade letter (or category) a level carries; None when it matches no pattern."""
        for pattern in self.patterns if level else ():
            match = pattern.fullmatch(level)
            if match:
                return match.group("grade")
        return None

    def strength(self, grade: str | None) -> str | None:
        """The common-scale word of a grade (NCCN: a category); None when no source states one."""
        return self.strength_of.get(grade) if grade else None

    def rank(self, grade: str | None) -> int:
        """For sorting: the grade's rank on the common scale; a grade not stated ranks with `unstated`."""
        word = self.strength(grade) or self.unstated
        return self.scale.get(word, 0)


class UnencodedBody(NamedTuple):
    """A guideline body netadvisor looked for but could not encode, and why."""

    name: str
    sites: tuple
    text: str
    sources: tuple


class Bodies(NamedTuple):
    """The bodies document: the evidence schemes, the common strength scale, the bodies not encoded."""

    scale: dict = {}  # word -> rank (higher: stronger)
    scale_text: dict = {}  # word -> what it means for netadvisor
    unstated: str | None = None  # the word a level no source states ranks with
    schemes: dict = {}  # id -> EvidenceScheme
    not_encoded: tuple = ()
