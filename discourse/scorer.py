"""The compiled, vectorised scorer (numpy only).

It reproduces ``Model.to_sklearn().predict_proba`` for a whole batch of
sentences with array operations and no Python loop per token or n-gram:

1. lowercase each sentence (``str.lower``, exactly as sklearn, or the
   model's spelling fold), join the batch with newlines and view it as one
   array of code points;
2. word tokens are maximal runs of word characters (``\\w``) of length two or
   more, which is what ``(?u)\\b\\w\\w+\\b`` finds; each token walks a trie of
   the vocabulary's words one character per step for all tokens at once, and
   word bigrams are looked up as pairs of trie nodes;
3. ``char_wb`` n-grams are the windows of the whitespace-collapsed stream
   (" w1 w2 ... ") that have no space inside them. From every window start at
   once, a trie of the char vocabulary is walked one character per step (a
   dense (node, character-rank) table: one ``np.take`` per step); no term has
   a space inside, so windows that cross words die without a mask. When the
   dense table would be too large, the trie's edges live in an integer hash
   map instead (same walk, exact either way);
4. (sentence, block, feature) keys are sorted to count terms, then sublinear
   TF, idf, the per-block L2 norm, the dot product with the coefficients and
   a sigmoid per label.

All lookups are exact (tries over the characters' ranks, no hashing of
strings), so a result can differ from scikit-learn's only by floating-point
summation order, far below 1e-9.
"""

from __future__ import annotations

import re

import numpy as np

from ._hashmap import IntMap
from .features import normalizer

__all__ = ["CompiledScorer"]

_N_CODEPOINTS = 0x110000
_TABLES = {}


def _char_tables():
    """Boolean tables over all code points: regex ``\\w`` and ``str.isspace``."""
    if not _TABLES:
        everything = "".join(map(chr, range(_N_CODEPOINTS)))
        for name, pattern in (("word", r"\w"), ("space", r"\s")):
            table = np.zeros(_N_CODEPOINTS, dtype=bool)
            table[[m.start() for m in re.finditer(pattern, everything)]] = True
            _TABLES[name] = table
    return _TABLES["word"], _TABLES["space"]


def _codepoints(text):
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class _Trie:
    """A trie over code-point ranks.

    Nodes are numbered breadth first: 0 is a dead node (no such prefix),
    1 the root, then every prefix of every term by depth, so the nodes that
    can have children come first. Edges live in an integer hash map keyed by
    ``parent * n_ranks + rank``; :meth:`dense_table` lays them out as a dense
    table instead.
    """

    def __init__(self, terms, rank, n_ranks):
        prefixes = {}
        for term in terms:  # compile time only
            key = tuple(int(rank[ord(ch)]) for ch in term)
            for k in range(1, len(key) + 1):
                prefixes.setdefault(key[:k], None)
        order = sorted(prefixes, key=lambda p: (len(p), p))
        node_of = {(): 1}
        for i, p in enumerate(order):
            node_of[p] = i + 2
        self.n_nodes = len(order) + 2
        self.n_ranks = n_ranks
        self.depth = np.zeros(self.n_nodes, dtype=np.int32)
        self.depth[2:] = [len(p) for p in order]
        parents = np.array([node_of[p[:-1]] for p in order], dtype=np.int64)
        last = np.array([p[-1] for p in order], dtype=np.int64)
        children = np.arange(2, self.n_nodes, dtype=np.int32)
        self.map = IntMap(parents * n_ranks + last, children)
        self.edges = (parents, last, children)
        self.root = np.full(n_ranks, -1, dtype=np.int32)
        at_root = parents == 1
        self.root[last[at_root]] = children[at_root]
        self.term_nodes = np.array([node_of[tuple(int(rank[ord(ch)]) for ch in t)] for t in terms],
                                   dtype=np.int64)
        self.max_depth = max((len(t) for t in terms), default=0)
        self.min_depth = min((len(t) for t in terms), default=1)

    dense = None

    def step(self, nodes, ranks):
        """Child of each node along each rank; 0 or -1 where there is none."""
        if self.dense is not None:
            return np.take(self.dense, nodes * self.n_ranks + ranks)
        return self.map.get(nodes.astype(np.int64) * self.n_ranks + ranks)

    def dense_table(self, limit=None):
        """Edges as a flat int32 table: ``table[node * n_ranks + rank]`` is the
        child (0, the dead node, where there is none). Rows exist for the dead
        node, the root and every node shallower than the deepest term; returns
        None if that would exceed ``limit`` entries."""
        rows = max(int(np.count_nonzero(self.depth < self.max_depth)), 2)
        if limit is not None and rows * self.n_ranks > limit:
            return None
        table = np.zeros(rows * self.n_ranks, dtype=np.int32)
        parents, last, children = self.edges
        table[parents * self.n_ranks + last] = children
        return table


class CompiledScorer:
    """Vectorised probabilities of a :class:`discourse.Model`.

    Build it with :meth:`from_model` (or use ``model.scorer``); call
    :meth:`predict_proba` on a list of sentence strings.

    Examples
    --------
    >>> import discourse
    >>> model = discourse.load_model()
    >>> texts = ["Tashkent balances Moscow and Beijing.", ""]
    >>> p = model.scorer.predict_proba(texts)
    >>> bool(abs(p - model.to_sklearn().predict_proba(texts)).max() < 1e-9)
    True
    """

    _DENSE_LIMIT = 1 << 24  # largest dense trie table (entries, 4 bytes each: 64 MiB)

    @classmethod
    def from_model(cls, model, *, char_lookup="auto"):
        """Compile ``model``.

        Parameters
        ----------
        model : Model
        char_lookup : {"auto", "dense", "hashed"}, default="auto"
            How the char trie stores its edges: a dense (node, character)
            table, one gather per step, or an integer hash map for alphabets
            too large for a dense table ("auto" picks). Both are exact.
        """
        self = cls()
        s = model.settings
        self.word_range = s.word.ngram_range
        self.char_range = s.char.ngram_range
        if self.word_range[1] > 2:
            raise ValueError("the compiled scorer supports word n-grams up to bigrams")
        if self.char_range[0] < 2:
            raise ValueError("the compiled scorer supports char n-grams of two or more characters")
        self.fold = None if s.normalize == "lower" else normalizer(s.normalize)
        self.word_sublinear = s.word.sublinear_tf
        self.char_sublinear = s.char.sublinear_tf
        n_word = len(model.word_terms_)
        self.n_word = n_word
        self.n_features = n_word + len(model.char_terms_)
        self.n_labels = len(model.labels)
        self.idf = np.concatenate([model.word_idf_, model.char_idf_])
        self.coef = np.ascontiguousarray(model.coef_)  # (n_labels, n_features)
        # one row per feature: [idf**2, idf * coef_label...]
        self.weights = np.column_stack([self.idf ** 2, self.idf[:, None] * self.coef.T])
        self.intercept = model.intercept_.copy()

        # Alphabet: every code point of any term, plus the space; rank 0 = unknown.
        alphabet = sorted({ord(c) for t in model.word_terms_ for c in t}
                          | {ord(c) for t in model.char_terms_ for c in t} | {32})
        n_ranks = len(alphabet) + 1
        rank = np.zeros(_N_CODEPOINTS, dtype=np.int32)
        rank[alphabet] = np.arange(1, n_ranks, dtype=np.int32)
        self.rank = rank
        self.n_ranks = n_ranks
        self.space_rank = int(rank[32])

        # Word trie: every unigram term and every word of a bigram term.
        unigrams = {t: i for i, t in enumerate(model.word_terms_) if " " not in t}
        bigrams = [(i, t.split(" ")) for i, t in enumerate(model.word_terms_) if " " in t]
        words = sorted(set(unigrams) | {w for _, pair in bigrams for w in pair})
        self.word_trie = _Trie(words, rank, n_ranks)
        self.word_trie.dense = self.word_trie.dense_table(self._DENSE_LIMIT)
        node_of = dict(zip(words, self.word_trie.term_nodes.tolist()))
        self.word_node_feature = np.full(self.word_trie.n_nodes, -1, dtype=np.int32)
        if self.word_range[0] <= 1:
            for t, i in unigrams.items():
                self.word_node_feature[node_of[t]] = i
        nn = self.word_trie.n_nodes
        self.n_word_nodes = nn
        self.bigram_map = IntMap(
            np.array([node_of[a] * nn + node_of[b] for _, (a, b) in bigrams], dtype=np.int64),
            np.array([i for i, _ in bigrams], dtype=np.int32),
        )

        # Char n-grams: a trie over the char_wb terms.
        if char_lookup not in ("auto", "dense", "hashed"):
            raise ValueError(f"char_lookup must be 'auto', 'dense' or 'hashed', got {char_lookup!r}")
        self.char_trie = _Trie(model.char_terms_, rank, n_ranks)
        self.char_node_feature = np.full(self.char_trie.n_nodes, -1, dtype=np.int32)
        self.char_node_feature[self.char_trie.term_nodes] = np.arange(
            n_word, self.n_features, dtype=np.int32)
        self.char_dense = None
        if char_lookup != "hashed":
            self.char_dense = self.char_trie.dense_table(self._DENSE_LIMIT if char_lookup == "auto" else None)
        self.char_lookup = "hashed" if self.char_dense is None else "dense"
        return self

    # ------------------------------------------------------------------------
    def predict_proba(self, sentences):
        """Probabilities, ndarray of shape (len(sentences), n_labels)."""
        logits = self.decision_function(sentences)
        return 1.0 / (1.0 + np.exp(-logits))

    def decision_function(self, sentences):
        """Logits, ndarray of shape (len(sentences), n_labels)."""
        n = len(sentences)
        out = np.empty((n, self.n_labels))
        out[:] = self.intercept
        block, feat, tf = self._counts(sentences)
        if block.size == 0:
            return out
        # Per (sentence, block) segment of the sorted pairs: the squared norm
        # sum(tf * idf) ** 2 and the dots sum(tf * idf * coef), in one gather
        # of the compiled table [idf**2, idf * coef...] and one reduceat.
        rows = np.take(self.weights, feat, axis=0)
        rows[:, 0] *= tf
        rows *= tf[:, None]
        starts = np.flatnonzero(np.concatenate([[True], block[1:] != block[:-1]]))
        sums = np.add.reduceat(rows, starts, axis=0)
        seg_doc = np.take(block, starts) >> 1
        logit = sums[:, 1:] / np.sqrt(sums[:, :1])
        for j in range(self.n_labels):
            out[:, j] += np.bincount(seg_doc, weights=logit[:, j], minlength=n)
        return out

    def transform(self, sentences):
        """The TF-IDF matrix in coordinate form.

        Returns
        -------
        doc, feature : ndarray of int64
            Row (sentence) and column (feature) of each non-zero value, sorted.
        value : ndarray of float64
            The L2-normalised TF-IDF value (each block normalised on its own).
        """
        n = len(sentences)
        block, feat, tf = self._counts(sentences)
        tfidf = tf * np.take(self.idf, feat)
        norm = np.sqrt(np.bincount(block, weights=tfidf * tfidf, minlength=2 * n))
        return block >> 1, feat, tfidf / np.take(norm, block) if block.size else tfidf

    def _counts(self, sentences):
        """Sorted unique (block, feature) pairs with their (sublinear) term frequency.

        ``block`` is ``2 * sentence + (1 if a char feature else 0)``.
        """
        n = len(sentences)
        empty = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        if n == 0:
            return empty
        lowered = [s.lower() for s in sentences] if self.fold is None else list(map(self.fold, sentences))
        lens = np.fromiter(map(len, lowered), dtype=np.int64, count=n)
        cps = _codepoints("\n" + "\n".join(lowered) + "\n").astype(np.intp)
        # owner[i]: the sentence of code point i (separators belong to the one before)
        owner = np.empty(cps.size, dtype=np.int64)
        owner[0] = 0
        owner[1:] = np.repeat(np.arange(n, dtype=np.int64), lens + 1)
        # keys: sentence << 33 | is_char << 32 | feature
        keys = self._word_keys(cps, owner) + self._char_keys(cps, owner)
        if not keys:
            return empty
        key = np.sort(np.concatenate(keys))
        if key.size == 0:
            return empty
        first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        counts = np.diff(np.append(first, key.size)).astype(np.float64)
        ukey = np.take(key, first)
        block = ukey >> 32
        feat = ukey & 0xFFFFFFFF
        tf = counts
        if self.word_sublinear and self.char_sublinear:
            np.log(tf, out=tf)
            tf += 1.0
        elif self.word_sublinear or self.char_sublinear:
            sub = (block & 1).astype(bool) == self.char_sublinear
            tf[sub] = np.log(tf[sub]) + 1.0
        return block, feat, tf

    def _word_keys(self, cps, owner):
        word, _ = _char_tables()
        w = np.take(word, cps)
        edges = np.flatnonzero(w[1:] != w[:-1]) + 1  # cps starts and ends with non-word "\n"
        starts, ends = edges[0::2], edges[1::2]
        lens = ends - starts
        keep = lens >= 2
        starts, lens = np.compress(keep, starts), np.compress(keep, lens)
        tdoc = np.take(owner, starts) << 33
        trie = self.word_trie
        ranks = np.take(self.rank, cps)
        node = np.take(trie.root, np.take(ranks, starts)).astype(np.int64)
        node[lens > trie.max_depth] = -1
        active = np.flatnonzero((node > 0) & (lens > 1))
        depth = 1
        while active.size:
            nxt = trie.step(np.take(node, active), np.take(ranks, np.take(starts, active) + depth))
            node[active] = nxt
            depth += 1
            active = np.compress((nxt > 0) & (np.take(lens, active) > depth), active)
        out = []
        lo, hi = self.word_range
        if lo <= 1:
            f = np.where(node > 0, np.take(self.word_node_feature, np.maximum(node, 0)), -1)
            hit = f >= 0
            out.append(np.compress(hit, tdoc) | np.compress(hit, f))
        if hi >= 2 and node.size > 1:
            a, b = node[:-1], node[1:]
            idx = np.flatnonzero((a > 0) & (b > 0) & (tdoc[:-1] == tdoc[1:]))
            f = self.bigram_map.get(np.take(a, idx) * self.n_word_nodes + np.take(b, idx))
            hit = f >= 0
            out.append(tdoc[idx[hit]] | f[hit])
        return out

    def _collapsed(self, cps, owner):
        """Whitespace-collapsed stream: ranks, space flags and window owners."""
        _, space = _char_tables()
        sp = np.take(space, cps)
        keep = ~sp
        keep[1:] |= ~sp[:-1]  # keep the first space of every run
        keep[0] = True  # cps[0] is the leading separator
        pos = np.flatnonzero(keep)
        is_space = np.take(sp, pos)
        ranks = np.where(is_space, self.space_rank, np.take(self.rank, np.take(cps, pos)))
        # the sentence of a window is the sentence of its first non-space
        # character: for a window opening with a space, the next kept one
        nxt_pos = np.append(pos[1:], pos[-1])
        start_owner = np.take(owner, np.where(is_space, nxt_pos, pos))
        return ranks, is_space, start_owner

    def _char_keys(self, cps, owner):
        ranks, is_space, start_owner = self._collapsed(cps, owner)
        if self.char_dense is None:
            return self._char_keys_trie(ranks, is_space, start_owner)
        # Walk the dense trie from every window start at once: one gather per
        # step. Windows that cross words die, as no term has a space inside.
        m = ranks.size - 1  # the last position is the final space
        hi = min(self.char_range[1], self.char_trie.max_depth)  # no term is longer
        a = self.n_ranks
        ranks = np.concatenate([ranks, np.zeros(hi, dtype=np.int64)])
        tag = (start_owner[:m] << 33) | (1 << 32)
        table, feature = self.char_dense, self.char_node_feature
        node = np.ones(m, dtype=np.int64)  # the root is node 1
        out = []
        for n in range(1, hi + 1):
            node *= a
            node += ranks[n - 1:m + n - 1]
            node = np.take(table, node)
            if n >= self.char_trie.min_depth:
                f = np.take(feature, node)
                hit = f >= 0
                out.append(np.compress(hit, tag) | np.compress(hit, f))
        return out

    def _char_keys_trie(self, ranks, is_space, start_owner):
        max_n = self.char_range[1]
        m = ranks.size
        ranks = np.concatenate([ranks, np.zeros(max_n, dtype=ranks.dtype)])
        is_space = np.concatenate([is_space, np.ones(max_n, dtype=bool)])
        trie = self.char_trie
        lo, hi = self.char_range
        starts = np.arange(m - 1, dtype=np.int64)  # the last position is the final space
        node = trie.root[ranks[starts]].astype(np.int64)
        alive = node >= 0
        starts, node = starts[alive], node[alive]
        first_space = is_space[starts]
        out = []
        n = 1
        while starts.size and n < hi:
            nxt = trie.step(node, ranks[starts + n])
            n += 1
            ok = nxt >= 0
            starts, node, first_space = starts[ok], nxt[ok], first_space[ok]
            last_space = is_space[starts + n - 1]
            f = self.char_node_feature[node]
            # a window of length n counts if n >= min_n, or if it is a whole
            # padded word shorter than min_n (sklearn's short-word rule)
            take = (f >= 0) & ((n >= lo) | (first_space & last_space))
            out.append((start_owner[starts[take]] << 33) | (1 << 32) | f[take])
            cont = ~last_space  # a space inside a window would cross words
            starts, node, first_space = starts[cont], node[cont], first_space[cont]
        return out
