"""Near-duplicate detection: MinHash over word shingles, cut into LSH bands that SQL can join on."""

from __future__ import annotations

import hashlib
import re

import numpy as np
from datasketch import MinHash

WORD_RE = re.compile(r"\w+", re.UNICODE)
SHINGLE_WORDS = 5
NUM_PERM = 128
# 16 bands x 8 rows: two bodies become candidates at a Jaccard similarity around 0.7 on 5-word shingles,
# which syndicated copies with a changed dateline or sign-off clear and different stories do not.
BANDS = 16
ROWS_PER_BAND = NUM_PERM // BANDS
SEED = 1


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    words = [w.lower() for w in WORD_RE.findall(text)]
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def band_hashes(text: str | None) -> list[int]:
    """One 64-bit hash per LSH band of the text's MinHash; empty for empty text."""
    grams = shingles(text or "")
    if not grams:
        return []
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch(list(grams))
    values = np.asarray(minhash.hashvalues, dtype=np.uint64)
    bands = []
    for band in range(BANDS):
        chunk = values[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND].tobytes()
        # The band number is part of the hash: equal rows in different bands must not match.
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        bands.append(int.from_bytes(digest, "big"))
    return bands
