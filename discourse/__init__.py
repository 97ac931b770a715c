"""discourse: tag geopolitical sentences with stance frames.

>>> import discourse
>>> discourse.LABELS
('multi_vector', 'sovereignty', 'no_conditions')
"""

__version__ = "0.1.0"

from . import plot  # matplotlib is imported only when a plot is drawn
from .api import Document, Sentence, classify, classify_many, score
from .explain import explain
from .model import LABELS, Model, load_model
from .modelfile import ModelFileError

__all__ = sorted([
    "Document", "LABELS", "Model", "ModelFileError", "Sentence", "__version__",
    "classify", "classify_frame", "classify_many", "explain", "load_model", "plot", "score", "to_frame",
])


def __getattr__(name):
    # pandas is an extra: the table helpers load it only when first used
    if name in ("to_frame", "classify_frame"):
        from . import frames

        return getattr(frames, name)
    raise AttributeError(f"module 'discourse' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"to_frame", "classify_frame"})
