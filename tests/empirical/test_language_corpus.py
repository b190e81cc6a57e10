"""Corpus reading and tokenisation: words, BPE trained locally, .npy ids, bad files."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab._validation import InputError
from scalinglab.empirical import language as lang


def test_bundled_corpus_word_counts():
    c = lang.load_corpus("bundled")
    assert 18_000 < c.tokens < 25_000  # the play has ~16.5 k words plus punctuation
    assert c.ids.dtype == np.uint16 and int(c.ids.max()) == c.vocab - 1
    counts = np.bincount(c.ids, minlength=c.vocab)
    assert np.all(np.diff(counts) <= 0)  # ids ranked by frequency


def test_vocab_cap_maps_rare_words_to_unk():
    full = lang.load_corpus("bundled")
    capped = lang.load_corpus("bundled", vocab=100)
    assert capped.vocab == 100 and capped.names[-1] == "<unk>"
    keep = full.ids < 99
    np.testing.assert_array_equal(capped.ids[keep], full.ids[keep])
    assert np.all(capped.ids[~keep] == 99)


def test_bpe_trained_locally_roundtrip():
    pytest.importorskip("tokenizers")
    c = lang.load_corpus("bundled", tokenizer="bpe", vocab=1024)
    assert c.vocab <= 1024 and int(c.ids.max()) < c.vocab
    words = lang.load_corpus("bundled").tokens
    assert words * 0.8 < c.tokens < words * 2.0  # sub-word pieces of a 1 k vocabulary
    text = "".join(c.names[i] for i in c.ids[:50]).replace("Ġ", " ").replace("Ċ", "\n")
    assert text.startswith("A Midsummer Night's Dream")


def test_npy_ids_used_as_is(tmp_path):
    ids = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64)
    np.save(tmp_path / "t.npy", ids)
    c = lang.load_corpus(tmp_path / "t.npy")
    np.testing.assert_array_equal(c.ids, ids)
    assert c.vocab == 10 and c.tokenizer == "ids"
    with pytest.raises(InputError, match="smaller than the largest id"):
        lang.load_corpus(tmp_path / "t.npy", vocab=5)


@pytest.mark.parametrize(
    ("content", "match"),
    [(b"", "empty"), (b"\x00\x01\x02binary", "binary"), (b"\xff\xfe bad utf8 \xff", "UTF-8")],
)
def test_bad_files_rejected(tmp_path, content, match):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=match):
        lang.load_corpus(path)


def test_vocab_below_two_rejected():
    with pytest.raises(InputError, match="vocab"):
        lang.load_corpus("bundled", vocab=1)
