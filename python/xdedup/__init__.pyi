from os import PathLike
from typing import Any, Iterable, Mapping, Optional, Union

Document = Union[str, Mapping[str, Any]]
Id = Union[int, str]

def similarity(
    a: str,
    b: str,
    *,
    threshold: float = 0.4,
    similarity: Optional[str] = None,
    shingle: Optional[str] = None,
    model: Optional[Union[str, PathLike[str]]] = None,
    lexicon: Optional[Union[str, PathLike[str]]] = None,
) -> dict[str, Any]:
    """Scores of two texts: ``score``, ``similar`` (score >= threshold), ``cosine``,
    ``jaccard``, ``containment``, ``estimate`` (MinHash), ``shared`` shingles; with a model
    also ``semantic`` and ``lexical``; ``pivot`` (the cross-script evidence, None when it does not
    count) and ``pivot_shared`` (kind and pivot text of each shared pivot token). ``lexicon``: a bilingual lexicon (dictd ``.index`` or
    word pairs) for pivot tokens across scripts. ValueError when either text has no letter or
    digit after normalization."""

class Deduper:
    """Clusters documents into stories with the command line's settings and defaults."""

    def __init__(
        self,
        *,
        threshold: Optional[float] = None,
        similarity: Optional[str] = None,
        shingle: Optional[str] = None,
        num_perm: Optional[int] = None,
        idf: bool = True,
        model: Optional[Union[str, PathLike[str]]] = None,
        lexicon: Optional[Union[str, PathLike[str]]] = None,
        window: Optional[str] = None,
        story_idf: bool = False,
    ) -> None:
        """``window``: the time window (``"2d"`` by default, ``"36h"``, ``"off"``): documents
        given with a ``time`` further apart than this are not linked as one story unless they
        are near-copies (score 0.7 or more). ``story_idf``: count each word's rarity over the
        stories of a first clustering, then cluster again (``--story-idf``); needs ``idf``."""
    def fit(self, documents: Iterable[Document]) -> list[Id]:
        """The story of each document, in input order: the id of the story's first document
        (a dict's ``id``, or the position of a plain string). A dict's ``time`` (a str in any
        form ``--time-field`` reads) puts it under the time window."""
    def pairs(
        self, documents: Iterable[Document], min_score: Optional[float] = None, every_copy: bool = False
    ) -> list[tuple[Id, Id, float]]:
        """Every verified pair scoring at least ``min_score`` (default: the threshold). A copy
        (the same text after normalization) is paired with its group's first document, and a
        pair between two groups names their first documents; ``every_copy=True`` lists every
        pair among and between copies."""

class Index:
    """The persistent story index: each batch is placed against everything stored."""

    @staticmethod
    def create(
        path: Union[str, PathLike[str]],
        *,
        threshold: Optional[float] = None,
        similarity: Optional[str] = None,
        shingle: Optional[str] = None,
        num_perm: Optional[int] = None,
        model: Optional[Union[str, PathLike[str]]] = None,
        lexicon: Optional[Union[str, PathLike[str]]] = None,
        window: Optional[str] = None,
    ) -> "Index": ...
    @staticmethod
    def open(
        path: Union[str, PathLike[str]],
        *,
        model: Optional[Union[str, PathLike[str]]] = None,
        lexicon: Optional[Union[str, PathLike[str]]] = None,
    ) -> "Index": ...
    def add(self, documents: Iterable[Document]) -> list[dict[str, Any]]:
        """Adds a batch in one transaction; one dict per document: ``id``, ``cluster``,
        ``new_story``, ``fresh`` (it starts a story no document stored before is in, and is
        its first: tonight's new ones, as ``xdedup index add --new`` writes them), ``status``
        (added, skipped, rejected) and, unless rejected,
        ``changed``: True for a skipped id whose text is not the stored one (the stored text is
        kept; ``remove`` the id first to replace it)."""
    def query(self, text: str, top: int = 5, time: Optional[str] = None) -> list[dict[str, Any]]:
        """The stories most similar to ``text``, best first; with ``time``, stored documents
        out of the index's time window are not hits unless near-copies. ValueError when
        ``text`` has no letter or digit after normalization, or ``time`` is not read."""
    def remove(
        self,
        ids: Optional[Union[str, int, Iterable[Union[str, int]]]] = None,
        *,
        older_than: Optional[str] = None,
    ) -> dict[str, Any]:
        """Takes documents out, by id or by time (``older_than``: times compared as moments,
        whether dates, ISO 8601 or RFC 2822 times, or seconds since 1970); returns ``{"removed":
        n, "unknown": [ids given that the index does not hold], "unread_times": documents kept
        because their time is in no form that is read, "untimed": documents kept because they
        were added without a time}``."""
    def export(self) -> list[dict[str, Any]]:
        """Every stored document's ``id`` and ``cluster``, in the order they were added."""
    def compact(self) -> dict[str, int]:
        """Rewrites the index without the space removals left; it stays open. Returns the
        file's sizes, ``{"before": bytes, "after": bytes}``."""
    def begin_run(self, inputs: list[str]) -> dict[str, Any]:
        """Starts a night's adds that may be cut short (``inputs`` name the night): until
        ``end_run``, each ``add`` keeps which of its documents were fresh, so that the same
        night begun again after a failure marks the documents it skips as fresh where the first
        attempt found them so. Returns ``{"state": "new"}``, ``{"state": "resumed", "fresh":
        N}`` or ``{"state": "abandoned", "inputs": [...]}`` (an unfinished night of other
        inputs, left as it is)."""
    def end_run(self) -> None:
        """Ends the night ``begin_run`` started: it finished, and is not resumed."""
    def stats(self) -> dict[str, Any]:
        """As ``xdedup index stats --json``: ``documents``, ``stories``, ``batches``,
        ``format``, ``size_on_disk``, ``shingle`` (None until the first batch decides it),
        ``settings`` (flag name to value, as the index stores them), ``model``, ``lexicon``,
        and ``unfinished_add`` (the inputs of a command-line add that committed batches and has
        not finished, else None)."""
