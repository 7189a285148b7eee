"""The type stubs shipped in the wheel (pytensor/_C/*.pyi) must match the bindings.

Regenerate after changing a binding:  python tests/test_stubs.py --write
"""
import os
import subprocess
import sys
import tempfile

import pytest

import pytensor

STUB_DIR = os.path.join(os.path.dirname(pytensor.__file__), "_C")


# Tensor says it lives in `pytensor` (as torch.Tensor does in `torch`); stubgen must see it as
# _C's own class to write its methods into _C's stub.
STUBGEN = ("import sys, pytensor, pybind11_stubgen; pytensor._C.Tensor.__module__ = 'pytensor._C'; "
           "pybind11_stubgen.main(sys.argv[1:])")


def generate(out_dir):
    subprocess.run([sys.executable, "-c", STUBGEN, "pytensor._C", "-o", out_dir,
                    "--exit-code"], check=True, capture_output=True, text=True,
                   cwd=out_dir,  # the same pytensor as this process, not the source tree
                   env=dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(pytensor.__file__))))
    return os.path.join(out_dir, "pytensor", "_C")


def read_all(folder):
    return {name: open(os.path.join(folder, name)).read()
            for name in sorted(os.listdir(folder)) if name.endswith(".pyi")}


def test_stubs_match_the_bindings():
    pytest.importorskip("pybind11_stubgen")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = read_all(generate(tmp))
    shipped = read_all(STUB_DIR)
    assert fresh.keys() == shipped.keys(), "run: python tests/test_stubs.py --write"
    for name in fresh:
        assert fresh[name] == shipped[name], f"{name} is stale; run: python tests/test_stubs.py --write"


def test_py_typed_marker_ships():
    assert os.path.exists(os.path.join(os.path.dirname(pytensor.__file__), "py.typed"))


if __name__ == "__main__" and "--write" in sys.argv:
    import shutil
    with tempfile.TemporaryDirectory() as tmp:
        src = generate(tmp)
        os.makedirs(STUB_DIR, exist_ok=True)
        for name in os.listdir(STUB_DIR):
            if name.endswith(".pyi"):
                os.remove(os.path.join(STUB_DIR, name))
        for name in os.listdir(src):
            shutil.copy(os.path.join(src, name), STUB_DIR)
    print("wrote", STUB_DIR)
