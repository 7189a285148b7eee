"""The README's main job runs and fits: examples/demo.py trains a linear model with autograd
(on the UCI housing data when ../shared has it, else on synthetic data)."""
import os
import runpy

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")


def test_demo_trains(capsys):
    runpy.run_path(os.path.join(EXAMPLES, "demo.py"), run_name="__main__")
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("step")]
    first, last = float(lines[0].split()[-1]), float(lines[-1].split()[-1])
    assert len(lines) == 7 and last < first / 10 and last < 30


def test_quickstart_tutorial_trains(capsys):
    quickstart = runpy.run_path(os.path.join(EXAMPLES, "quickstart.py"))
    accuracy = quickstart["main"](epochs=1)
    out = capsys.readouterr().out
    assert "Shape of X [N, C, H, W]: pytensor.Size([64, 1, 28, 28])" in out
    assert "Shape of y: pytensor.Size([64]) pytensor.int64" in out
    assert "(linear_relu_stack): Sequential(" in out and "Saved PyTorch Model State" in out
    if "MNIST test set" in out:  # real digits: one epoch is far above chance
        assert accuracy > 0.8
