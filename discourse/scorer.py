"""The compiled, vectorised scorer (numpy only).

It reproduces ``Model.to_sklearn().predict_proba`` for a whole batch of
sentences with array operations and no Python loop per token or n-gram:

1. lowercase each sentence (``str.lower``, exactly as sklearn), join the batch
   with newlines and view it as one array of code points;
2. word tokens are maximal runs of word characters (``\\w``) of length two or
   more, which is what ``(?u)\\b\\w\\w+\\b`` finds; each token walks a trie of
   the vocabulary's words one character per step for all tokens at once, and
   word bigrams are looked up as pairs of trie nodes;
3. ``char_wb`` n-grams are the windows of the whitespace-collapsed stream
   (" w1 w2 ... ") that have no space inside them; every window start walks a
   trie of the character vocabulary one step per n;
4. (sentence, feature) pairs are sorted to count terms, then sublinear TF,
   idf, the per-block L2 norm, the dot product with the coefficients and a
   sigmoid per label.

All lookups are exact (tries over code-point ranks, no hashing of strings),
so a result can differ from scikit-learn's only by floating-point summation
order, far below 1e-9.
"""

from __future__ import annotations

import re

import numpy as np

from ._hashmap import IntMap

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
    """A trie over code-point ranks, stored as a root array plus an IntMap."""

    def __init__(self, terms, rank, n_ranks):
        children = {}  # (parent node, rank) -> node; node 0 is the root
        term_nodes = np.empty(len(terms), dtype=np.int64)
        for i, term in enumerate(terms):  # compile time only
            node = 0
            for ch in term:
                key = (node, int(rank[ord(ch)]))
                nxt = children.get(key)
                if nxt is None:
                    nxt = children[key] = len(children) + 1
                node = nxt
            term_nodes[i] = node
        self.n_nodes = len(children) + 1
        self.n_ranks = n_ranks
        self.root = np.full(n_ranks, -1, dtype=np.int32)
        deeper_keys, deeper_vals = [], []
        for (parent, r), child in children.items():
            if parent == 0:
                self.root[r] = child
            else:
                deeper_keys.append(parent * n_ranks + r)
                deeper_vals.append(child)
        self.map = IntMap(np.array(deeper_keys, dtype=np.int64), np.array(deeper_vals, dtype=np.int32))
        self.term_nodes = term_nodes
        self.max_depth = max((len(t) for t in terms), default=0)

    def step(self, nodes, ranks):
        """Child of each node along each rank; -1 where there is none."""
        return self.map.get(nodes.astype(np.int64) * self.n_ranks + ranks)


class CompiledScorer:
    """Vectorised probabilities of a :class:`discourse.Model`.

    Build it with :meth:`from_model` (or use ``model.scorer``); call
    :meth:`predict_proba` on a list of sentence strings.
    """

    @classmethod
    def from_model(cls, model):
        self = cls()
        s = model.settings
        if s.char.ngram_range[0] < 1:
            raise ValueError("char n-grams must be at least one character long")
        self.word_range = s.word.ngram_range
        self.char_range = s.char.ngram_range
        if self.word_range[1] > 2:
            raise ValueError("the compiled scorer supports word n-grams up to bigrams")
        self.word_sublinear = s.word.sublinear_tf
        self.char_sublinear = s.char.sublinear_tf
        n_word = len(model.word_terms_)
        self.n_word = n_word
        self.n_features = n_word + len(model.char_terms_)
        self.n_labels = len(model.labels)
        self.idf = np.concatenate([model.word_idf_, model.char_idf_])
        self.coef_t = np.ascontiguousarray(model.coef_.T)  # (n_features, n_labels)
        self.intercept = model.intercept_.copy()

        # Alphabet: every code point of any term, plus the space; rank 0 = unknown.
        alphabet = sorted({ord(c) for t in model.word_terms_ for c in t}
                          | {ord(c) for t in model.char_terms_ for c in t} | {32})
        n_ranks = len(alphabet) + 1
        rank = np.zeros(_N_CODEPOINTS, dtype=np.int32)
        rank[alphabet] = np.arange(1, n_ranks, dtype=np.int32)
        self.rank = rank
        self.space_rank = int(rank[32])

        # Word trie: every unigram term and every word of a bigram term.
        unigrams = {t: i for i, t in enumerate(model.word_terms_) if " " not in t}
        bigrams = [(i, t.split(" ")) for i, t in enumerate(model.word_terms_) if " " in t]
        words = sorted(set(unigrams) | {w for _, pair in bigrams for w in pair})
        self.word_trie = _Trie(words, rank, n_ranks)
        node_of = dict(zip(words, self.word_trie.term_nodes.tolist()))
        self.word_node_feature = np.full(self.word_trie.n_nodes, -1, dtype=np.int32)
        for t, i in unigrams.items():
            if self.word_range[0] <= 1:
                self.word_node_feature[node_of[t]] = i
        nn = self.word_trie.n_nodes
        self.n_word_nodes = nn
        self.bigram_map = IntMap(
            np.array([node_of[a] * nn + node_of[b] for _, (a, b) in bigrams], dtype=np.int64),
            np.array([i for i, _ in bigrams], dtype=np.int32),
        )

        # Char trie over char_wb terms (every prefix is a node).
        self.char_trie = _Trie(model.char_terms_, rank, n_ranks)
        self.char_node_feature = np.full(self.char_trie.n_nodes, -1, dtype=np.int32)
        self.char_node_feature[self.char_trie.term_nodes] = np.arange(
            n_word, self.n_features, dtype=np.int32)
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
        doc, feat, val = self.transform(sentences)
        if doc.size:
            contrib = self.coef_t[feat] * val[:, None]
            for j in range(self.n_labels):
                out[:, j] += np.bincount(doc, weights=contrib[:, j], minlength=n)
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
        if n == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        lowered = [s.lower() for s in sentences]
        lens = np.fromiter(map(len, lowered), dtype=np.int64, count=n)
        cps = _codepoints("\n" + "\n".join(lowered) + "\n")
        # owner[i]: the sentence of code point i (separators belong to the one before)
        owner = np.empty(cps.size, dtype=np.int64)
        owner[0] = 0
        owner[1:] = np.repeat(np.arange(n, dtype=np.int64), lens + 1)

        docs_w, feats_w = self._word_features(cps, owner)
        docs_c, feats_c = self._char_features(cps, owner)
        docs = np.concatenate([docs_w, docs_c])
        feats = np.concatenate([feats_w, feats_c]).astype(np.int64)
        if docs.size == 0:
            return docs.astype(np.int64), feats, np.empty(0)
        key = np.sort(docs * self.n_features + feats)
        first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        counts = np.diff(np.append(first, key.size)).astype(np.float64)
        ukey = key[first]
        doc = ukey // self.n_features
        feat = ukey - doc * self.n_features
        is_char = feat >= self.n_word
        tf = counts
        sub = (is_char & self.char_sublinear) | (~is_char & self.word_sublinear)
        tf[sub] = np.log(tf[sub]) + 1.0
        val = tf * self.idf[feat]
        block = doc * 2 + is_char
        norm = np.sqrt(np.bincount(block, weights=val * val, minlength=2 * n))
        val /= norm[block]
        return doc, feat, val

    def _word_features(self, cps, owner):
        word, _ = _char_tables()
        w = word[cps]
        edges = np.flatnonzero(w[1:] != w[:-1]) + 1  # cps starts and ends with non-word "\n"
        starts, ends = edges[0::2], edges[1::2]
        lens = ends - starts
        keep = lens >= 2
        starts, lens = starts[keep], lens[keep]
        tdoc = owner[starts]
        trie = self.word_trie
        ranks = self.rank[cps]
        node = trie.root[ranks[starts]].astype(np.int64)
        node[lens > trie.max_depth] = -1
        active = np.flatnonzero((node >= 0) & (lens > 1))
        depth = 1
        while active.size:
            nxt = trie.step(node[active], ranks[starts[active] + depth])
            node[active] = nxt
            depth += 1
            active = active[(nxt >= 0) & (lens[active] > depth)]
        docs_out, feats_out = [], []
        lo, hi = self.word_range
        if lo <= 1:
            f = np.where(node >= 0, self.word_node_feature[np.maximum(node, 0)], -1)
            hit = f >= 0
            docs_out.append(tdoc[hit])
            feats_out.append(f[hit])
        if hi >= 2 and node.size > 1:
            a, b = node[:-1], node[1:]
            ok = (a >= 0) & (b >= 0) & (tdoc[:-1] == tdoc[1:])
            idx = np.flatnonzero(ok)
            f = self.bigram_map.get(a[idx] * self.n_word_nodes + b[idx])
            hit = f >= 0
            docs_out.append(tdoc[idx[hit]])
            feats_out.append(f[hit])
        if not docs_out:
            return np.empty(0, np.int64), np.empty(0, np.int32)
        return np.concatenate(docs_out), np.concatenate(feats_out)

    def _char_features(self, cps, owner):
        _, space = _char_tables()
        sp = space[cps]
        keep = ~sp
        keep[1:] |= ~sp[:-1]  # keep the first space of every run
        keep[0] = True  # cps[0] is the leading separator
        pos = np.flatnonzero(keep)
        is_space = sp[pos]
        max_n = self.char_range[1]
        ranks = self.rank[cps[pos]]
        ranks[is_space] = self.space_rank
        m = pos.size
        ranks = np.concatenate([ranks, np.zeros(max_n, dtype=ranks.dtype)])
        is_space = np.concatenate([is_space, np.ones(max_n, dtype=bool)])
        # the sentence of a window is the sentence of its first non-space
        # character: for a window opening with a space, the next kept one
        nxt_pos = np.append(pos[1:], pos[-1])
        start_owner = owner[np.where(is_space[:m], nxt_pos, pos)]
        trie = self.char_trie
        lo, hi = self.char_range
        starts = np.arange(m - 1, dtype=np.int64)  # the last position is the final space
        node = trie.root[ranks[starts]].astype(np.int64)
        alive = node >= 0
        starts, node = starts[alive], node[alive]
        first_space = is_space[starts]
        docs_out, feats_out = [], []
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
            docs_out.append(start_owner[starts[take]])
            feats_out.append(f[take])
            cont = ~last_space  # a space inside a window would cross words
            starts, node, first_space = starts[cont], node[cont], first_space[cont]
        if lo <= 1:
            raise ValueError("char n-grams of length 1 are not supported by the compiled scorer")
        if not docs_out:
            return np.empty(0, np.int64), np.empty(0, np.int32)
        return np.concatenate(docs_out), np.concatenate(feats_out)
