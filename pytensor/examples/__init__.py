"""Programs that ship with pytensor: `python -m pytensor.examples.mnist` trains a small CNN on
the MNIST sample bundled in examples/data (no download needed)."""
