"""examples/quickstart.ipynb runs from top to bottom without errors."""

from __future__ import annotations

import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"


@pytest.mark.parametrize("path", [NOTEBOOK], ids=["quickstart"])
def test_quickstart_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit it without outputs"
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any('class="dc-doc"' in h for h in html), "the Document renders as HTML"
    assert any('class="dx"' in h for h in html), "the explanation renders as HTML"
    assert any("image/png" in o.get("data", {}) for o in outputs), "the profile plot is drawn"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "logit =" in text and "<!DOCTYPE" in text
