"""The installed package works on its own, away from the source tree."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = """
import json, discourse
from discourse.samples import load_samples
from discourse.segmentation import split_sentences
from discourse.report import states_named
doc = discourse.classify("Kazakhstan refuses to choose between Moscow and Beijing. The summit ended at noon.")
print(json.dumps({"file": discourse.__file__, "sentences": len(doc.sentences),
                  "samples": len(load_samples()), "punkt": len(split_sentences("Dr. Weber kam am 3. Oktober. Gut.")),
                  "states": sorted(states_named("Kasachstan und China", "de"))}))
"""


def test_installed_package_carries_its_model_and_data(tmp_path):
    out = subprocess.run([sys.executable, "-c", CODE], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    if out.returncode != 0 and "No module named 'discourse'" in out.stderr and not os.environ.get("CI"):
        pytest.skip("discourse is not installed (run from a source checkout); CI installs it")
    assert out.returncode == 0, out.stderr
    import json

    got = json.loads(out.stdout)
    assert got == {"file": got["file"], "sentences": 2, "samples": 6, "punkt": 2,
                   "states": ["China", "Kazakhstan"]}
    if os.environ.get("CI"):
        assert "site-packages" in got["file"], "CI must test the installed package"
