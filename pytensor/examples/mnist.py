"""Train the tutorials' MNIST CNN and report its test accuracy, with no download:

    python -m pytensor.examples.mnist [--data-dir DIR] [--epochs 5] [--batch-size 64]
                                      [--lr 0.01] [--device cpu|cuda] [--out mnist_cnn.pth]

By default it trains on the first 5,000 images of the MNIST sample bundled in
pytensor/examples/data and tests on the other 1,000. --data-dir reads real IDX files instead
(torchvision's layout or a flat folder, gzipped or not): the train and test sets when both are
there, else the first 80% / last 20% of the test set. A tqdm bar shows each epoch's running
loss and accuracy (plain lines when tqdm is not installed); the trained weights are saved with
pytensor.save(model.state_dict(), --out).
"""
import argparse
import os
import time

import numpy as np

import pytensor
from pytensor import nn
from pytensor.utils.data import DataLoader, TensorDataset
from pytensor.vision.datasets import MNIST
from pytensor.vision.datasets.mnist import read_idx

try:
    from tqdm import tqdm
except ImportError:  # tqdm is a dependency, but the job must not need it
    tqdm = None

SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mnist-sample-{}-idx{}-ubyte.gz")
MEAN, STD = 0.1307, 0.3081  # MNIST's pixel statistics, as in the tutorials' Normalize


class CNN(nn.Module):
    """The tutorials' MNIST CNN: two (3x3 conv, ReLU, 2x2 max-pool) stages, then 800 -> 100 -> 10.
    It returns logits: CrossEntropyLoss applies the log-softmax itself, and the tutorial's extra
    Softmax layer would cost several points of accuracy."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2, 2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(800, 100), nn.ReLU(), nn.Linear(100, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def load_splits(data_dir):
    """(train images, train labels, test images, test labels, description): uint8 N x 28 x 28
    images and integer labels as numpy arrays."""
    if data_dir is None:
        images, labels = read_idx(SAMPLE.format("images", 3)), read_idx(SAMPLE.format("labels", 1))
        return images[:5000], labels[:5000], images[5000:], labels[5000:], "bundled MNIST sample"
    try:
        test = MNIST(data_dir, train=False)
    except RuntimeError as e:
        raise SystemExit(f"--data-dir {data_dir}: no MNIST test set there (t10k-images-idx3-ubyte[.gz] "
                         f"and t10k-labels-idx1-ubyte[.gz], in the folder or in MNIST/raw/ below it): {e}")
    images, labels = test.data.numpy(), test.targets.numpy()
    try:
        train = MNIST(data_dir, train=True)
    except RuntimeError:  # only the test set: split it
        split = len(images) * 4 // 5
        return images[:split], labels[:split], images[split:], labels[split:], f"MNIST test set in {data_dir}, split 80/20"
    return train.data.numpy(), train.targets.numpy(), images, labels, f"MNIST in {data_dir}"


def to_dataset(images, labels, limit=None):
    """Normalised float 1 x 28 x 28 images and int64 labels, at most `limit` of them."""
    images, labels = images[:limit], labels[:limit]
    x = pytensor.from_numpy(np.ascontiguousarray(images)).float().div(255).sub(MEAN).div(STD).unsqueeze(1)
    return TensorDataset(x, pytensor.from_numpy(labels.astype(np.int64)))


def train_epoch(model, loader, loss_fn, optimizer, device, desc):
    """One pass over loader; returns (mean loss, accuracy) over the samples seen."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    batches = tqdm(loader, desc=desc, unit="batch") if tqdm else loader
    for x, y in batches:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seen += len(y)
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        if tqdm:
            batches.set_postfix({"loss": f"{total_loss / seen:.4f}", "acc": f"{correct / seen:.4f}"})
    if not tqdm:
        print(f"{desc}: loss {total_loss / seen:.4f}, accuracy {correct / seen:.4f}")
    return total_loss / seen, correct / seen


def evaluate(model, loader, device):
    """Accuracy of model on loader, as (correct, total)."""
    model.eval()
    correct, total = 0, 0
    with pytensor.no_grad():
        for x, y in loader:
            correct += (model(x.to(device)).argmax(1) == y.to(device)).sum().item()
            total += len(y)
    return correct, total


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m pytensor.examples.mnist", description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", help="folder of MNIST IDX files to use instead of the bundled sample")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (momentum 0.9)")
    p.add_argument("--device", default="cuda" if pytensor.cuda.is_available() else "cpu")
    p.add_argument("--out", default="mnist_cnn.pth", help="where to save the trained state_dict")
    p.add_argument("--limit", type=int, help="use at most this many images of each split")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.device.startswith("cuda") and not pytensor.cuda.is_available():
        p.error(f"--device {args.device}: no CUDA device (pytensor built without CUDA, or no GPU visible)")
    return args


def main(argv=None):
    """Runs the job; returns a dict of what it measured (for tests and notebooks)."""
    args = parse_args(argv)
    pytensor.manual_seed(args.seed)
    train_x, train_y, test_x, test_y, source = load_splits(args.data_dir)
    train_set, test_set = to_dataset(train_x, train_y, args.limit), to_dataset(test_x, test_y, args.limit)
    print(f"data: {source} ({len(train_set)} train / {len(test_set)} test images)")
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1000)

    model = CNN().to(args.device)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {type(model).__name__} with {n_params:,} parameters on {args.device}")
    loss_fn = nn.CrossEntropyLoss()
    optimizer = pytensor.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    history, start = [], time.perf_counter()
    for epoch in range(args.epochs):
        history.append(train_epoch(model, train_loader, loss_fn, optimizer, args.device,
                                   f"epoch {epoch + 1}/{args.epochs}"))
    seconds = time.perf_counter() - start
    correct, total = evaluate(model, test_loader, args.device)
    print(f"trained {args.epochs} epochs in {seconds:.1f} s")
    print(f"test accuracy: {correct / total:.4f} ({correct}/{total})")
    pytensor.save(model.state_dict(), args.out)
    print(f"saved the model's state_dict to {args.out} "
          f"(CNN().load_state_dict(pytensor.load({args.out!r})) restores it)")
    return {"history": history, "test_accuracy": correct / total, "seconds": seconds, "out": args.out}


if __name__ == "__main__":
    main()
