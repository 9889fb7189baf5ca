"""xdedup: near-duplicate and same-story detection for news, in Arabic, English and any script.

The Rust library behind the ``xdedup`` command line, with the GIL released while it works:

- :func:`similarity` compares two texts (as ``xdedup similar``);
- :class:`Deduper` clusters a collection into stories (``xdedup cluster``) or lists its verified
  near-duplicate pairs (``xdedup pairs``);
- :class:`Index` is the persistent story index (``xdedup index``) for nightly batches.
"""

from ._xdedup import Deduper, Index, similarity

__all__ = ["Deduper", "Index", "similarity"]
