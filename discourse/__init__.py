"""discourse: tag geopolitical sentences with stance frames.

>>> import discourse
>>> discourse.LABELS
('multi_vector', 'sovereignty', 'no_conditions')
"""

__version__ = "0.1.0"

from .api import Document, Sentence, classify, classify_many, score
from .model import LABELS, Model, load_model
from .modelfile import ModelFileError

__all__ = sorted([
    "Document", "LABELS", "Model", "ModelFileError", "Sentence", "__version__",
    "classify", "classify_many", "load_model", "score",
])
