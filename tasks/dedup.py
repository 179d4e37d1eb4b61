"""Near-duplicate detection: MinHash over word shingles, cut into LSH bands that SQL can join on."""

from __future__ import annotations

import hashlib
import re
import struct

import numpy as np

WORD_RE = re.compile(r"\w+", re.UNICODE)
SHINGLE_WORDS = 5
NUM_PERM = 128
# 16 bands x 8 rows: two bodies become candidates at a Jaccard similarity around 0.7 on 5-word shingles,
# which syndicated copies with a changed dateline or sign-off clear and different stories do not.
BANDS = 16
ROWS_PER_BAND = NUM_PERM // BANDS
SEED = 1


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Affine maps h -> a*h + b (mod 2^32, a odd: bijective), drawn as datasketch's default "affine32"
    scheme draws them, so band hashes stay equal to those stored by earlier versions (which used it)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


# datasketch itself is not imported: it pulls in scipy and redis (~80 MB and ~1 s in every extraction worker).
_PERM_A, _PERM_B = _permutations(NUM_PERM, SEED)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: spreads weakly mixed input hashes before the affine maps."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> np.uint32(16))
    return mixed


def minhash(grams: set[bytes]) -> np.ndarray:
    """NUM_PERM minimum hash values (uint32) of a non-empty set of shingles."""
    hashed = np.fromiter(
        (struct.unpack("<I", hashlib.sha1(gram).digest()[:4])[0] for gram in grams), dtype=np.uint32, count=len(grams)
    )
    mixed = _fmix32(hashed).reshape(-1, 1)
    minima: np.ndarray = (mixed * _PERM_A + _PERM_B).min(axis=0)
    return minima


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
    values = minhash(grams).astype(np.uint64)
    bands = []
    for band in range(BANDS):
        chunk = values[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND].tobytes()
        # The band number is part of the hash: equal rows in different bands must not match.
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        bands.append(int.from_bytes(digest, "big"))
    return bands
