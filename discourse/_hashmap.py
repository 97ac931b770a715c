"""A read-only integer hash map with vectorised lookup (numpy only).

Open addressing with linear probing and multiplicative hashing. Keys are
non-negative int64; values are int32. Used by the compiled scorer to walk the
vocabulary tries without a Python loop per token.
"""

from __future__ import annotations

import numpy as np

_EMPTY = np.int64(-1)
_MULT = np.uint64(0x9E3779B97F4A7C15)


class IntMap:
    """Map int64 keys to int32 values; look many keys up at once.

    Parameters
    ----------
    keys : ndarray of int64, non-negative and distinct
    values : ndarray of int32

    Examples
    --------
    >>> import numpy as np
    >>> m = IntMap(np.array([3, 10, 7]), np.array([0, 1, 2]))
    >>> m.get(np.array([7, 4, 3, 10])).tolist()
    [2, -1, 0, 1]
    """

    def __init__(self, keys, values):
        keys = np.asarray(keys, dtype=np.int64)
        values = np.asarray(values, dtype=np.int32)
        if keys.shape != values.shape or keys.ndim != 1:
            raise ValueError("keys and values must be 1-d arrays of the same length")
        if keys.size and keys.min() < 0:
            raise ValueError("keys must be non-negative")
        if np.unique(keys).size != keys.size:
            raise ValueError("keys must be distinct")
        bits = max(4, int(np.ceil(np.log2(max(keys.size, 1) * 2))) + 1)  # load factor <= 0.25..0.5
        self._shift = np.uint64(64 - bits)
        self._mask = np.int64((1 << bits) - 1)
        self._keys = np.full(1 << bits, _EMPTY, dtype=np.int64)
        self._values = np.full(1 << bits, -1, dtype=np.int32)
        slot = self._slot(keys)
        pending = np.arange(keys.size)
        probes = 0
        while pending.size:
            s = slot[pending]
            free = self._keys[s] == _EMPTY
            # one winner per free slot: the first pending key that wants it
            cand = pending[free]
            _, first = np.unique(s[free], return_index=True)
            win = cand[first]
            self._keys[slot[win]] = keys[win]
            self._values[slot[win]] = values[win]
            done = np.zeros(keys.size, dtype=bool)
            done[win] = True
            pending = pending[~done[pending]]
            slot[pending] = (slot[pending] + 1) & self._mask
            probes += 1
        self.max_probes = probes

    def _slot(self, keys):
        h = keys.view(np.uint64) * _MULT
        h >>= self._shift
        return h.view(np.int64)

    def __len__(self):
        return int((self._keys != _EMPTY).sum())

    def get(self, keys):
        """Values for ``keys`` (int64 array); -1 where a key is absent."""
        keys = np.asarray(keys, dtype=np.int64)
        if keys.size == 0:
            return np.full(keys.shape, -1, dtype=np.int32)
        slot = self._slot(keys)
        tk = np.take(self._keys, slot)
        hit = tk == keys
        out = np.where(hit, np.take(self._values, slot), np.int32(-1))
        idx = np.flatnonzero(tk != keys)
        idx = np.compress(np.take(tk, idx) != _EMPTY, idx)
        for _ in range(self.max_probes):
            if idx.size == 0:
                break
            keys_i = np.take(keys, idx)
            slot_i = (np.take(slot, idx) + 1) & self._mask
            slot[idx] = slot_i
            tk = np.take(self._keys, slot_i)
            hit = tk == keys_i
            out[np.compress(hit, idx)] = np.take(self._values, np.compress(hit, slot_i))
            idx = np.compress((~hit) & (tk != _EMPTY), idx)
        return out
