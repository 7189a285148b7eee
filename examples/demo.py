"""pytensor demo: fit a linear model to the Boston housing data by gradient descent, the
gradients computed by autograd (matmul, broadcasting, reductions, backward, no_grad updates).

Uses ../shared/datasets/uci/housing.csv when present, otherwise synthetic data of the same shape.
"""
import os

import numpy as np

import pytensor

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "..", "..", "shared", "datasets", "uci", "housing.csv")


def load():
    if os.path.exists(CSV):
        data = np.loadtxt(CSV, delimiter=",")
        return data[:, :-1], data[:, -1:], "UCI housing"
    rng = np.random.default_rng(0)
    x = rng.normal(size=(506, 13))
    y = x @ rng.normal(size=(13, 1)) + 22.5 + rng.normal(scale=0.5, size=(506, 1))
    return x, y, "synthetic"


def main():
    x_np, y_np, name = load()
    x = pytensor.tensor(x_np, dtype=pytensor.float32)
    y = pytensor.tensor(y_np, dtype=pytensor.float32)
    x = (x - x.mean(0)) / x.std(0)  # standardise features
    n, d = x.shape
    print(f"data: {name}, {n} samples x {d} features")
    w = pytensor.zeros(d, 1, requires_grad=True)
    b = pytensor.zeros(1, requires_grad=True)
    lr = 0.1
    for step in range(301):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with pytensor.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad = None
            b.grad = None
        if step % 50 == 0:
            print(f"step {step:>3d}  mse {loss.item():>10.4f}")
    print("weights:", w.detach().view(-1))
    print(f"bias: {b.item():.4f}")


if __name__ == "__main__":
    main()
