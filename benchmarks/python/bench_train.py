"""Full training steps of the tutorials' four models, pytensor beside PyTorch (when
importable) in one run, same code, same shapes, same thread count: time per step (forward,
loss, backward, optimizer step, zero_grad) and the implied seconds per epoch.

    python benchmarks/python/bench_train.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timer import bench, fmt_time  # noqa: E402

import pytensor  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def mlp_784(lib):
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                         nn.ReLU(), nn.Linear(512, 10))


def mnist_cnn(lib):
    nn = lib.nn

    class CNN(nn.Module):  # the tutorial's model, Softmax before CrossEntropyLoss included
        def __init__(self):
            super().__init__()
            self.conv1, self.pool1 = nn.Conv2d(1, 32, (3, 3)), nn.MaxPool2d((2, 2), stride=(2, 2))
            self.conv2, self.pool2 = nn.Conv2d(32, 32, (3, 3)), nn.MaxPool2d((2, 2), stride=(2, 2))
            self.hidden, self.out = nn.Linear(5 * 5 * 32, 100), nn.Linear(100, 10)
            self.act, self.softmax = nn.ReLU(), nn.Softmax(dim=1)

        def forward(self, x):
            x = self.pool1(self.act(self.conv1(x)))
            x = self.pool2(self.act(self.conv2(x)))
            x = x.view(-1, 800)
            return self.softmax(self.out(self.act(self.hidden(x))))
    return CNN()


def lenet(lib):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):  # the CIFAR-10 tutorial's LeNet on 3x32x32
        def __init__(self):
            super().__init__()
            self.conv1, self.pool, self.conv2 = nn.Conv2d(3, 6, 5), nn.MaxPool2d(2, 2), nn.Conv2d(6, 16, 5)
            self.fc1, self.fc2, self.fc3 = nn.Linear(16 * 5 * 5, 120), nn.Linear(120, 84), nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = lib.flatten(x, 1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
    return Net()


def mlp_34(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(34, 10), nn.ReLU(), nn.Linear(10, 8), nn.ReLU(),
                         nn.Linear(8, 1), nn.Sigmoid())


# name, model, input shape, loss, targets ("class" or "binary"), optimizer, steps per epoch
MODELS = [
    ("MLP 784-512-512-10 (quickstart), batch 64, SGD", mlp_784, (64, 1, 28, 28), "class",
     lambda lib, p: lib.optim.SGD(p, lr=1e-3), 60000 // 64),
    ("MNIST CNN, batch 64, SGD momentum", mnist_cnn, (64, 1, 28, 28), "class",
     lambda lib, p: lib.optim.SGD(p, lr=0.01, momentum=0.9), 60000 // 64),
    ("LeNet 3x32x32, batch 4, SGD momentum", lenet, (4, 3, 32, 32), "class",
     lambda lib, p: lib.optim.SGD(p, lr=0.001, momentum=0.9), 50000 // 4),
    ("LeNet 3x32x32, batch 64, Adam", lenet, (64, 3, 32, 32), "class",
     lambda lib, p: lib.optim.Adam(p, lr=1e-3), 50000 // 64),
    ("MLP 34-10-8-1 (ionosphere), batch 32, SGD momentum", mlp_34, (32, 34), "binary",
     lambda lib, p: lib.optim.SGD(p, lr=0.01, momentum=0.9), 8),
]


def train_step(lib, make_model, shape, kind, make_opt):
    lib.manual_seed(0)
    model = make_model(lib)
    opt = make_opt(lib, model.parameters())
    x = lib.randn(*shape)
    if kind == "class":
        y, loss_fn = lib.randint(0, 10, (shape[0],)), lib.nn.CrossEntropyLoss()
    else:
        y, loss_fn = (lib.rand(shape[0], 1) > 0.5).float(), lib.nn.BCELoss()

    def run():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return run


def main():
    libs = {"pytensor": pytensor} | ({"torch": torch} if torch is not None else {})
    if torch is not None:
        torch.set_num_threads(pytensor.get_num_threads())
    print(f"threads: {pytensor.get_num_threads()}")
    head = " | ".join(f"{lib} ms/step | {lib} s/epoch" for lib in libs)
    print(f"| model | {head} |" + (" torch/pt |" if torch is not None else ""))
    print("|---|" + "---|---|" * len(libs) + ("---|" if torch is not None else ""))
    for name, make_model, shape, kind, make_opt, steps in MODELS:
        t = bench({lib: train_step(mod, make_model, shape, kind, make_opt) for lib, mod in libs.items()},
                  rounds=7, min_time=0.05)
        cells = " | ".join(f"{fmt_time(t[lib])} | {t[lib] * steps:.3g}" for lib in libs)
        ratio = f" {t['torch'] / t['pytensor']:.2f} |" if torch is not None else ""
        print(f"| {name} | {cells} |{ratio}", flush=True)


if __name__ == "__main__":
    main()
