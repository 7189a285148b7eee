"""The PyTorch "Quickstart" tutorial's program, with its imports changed (torch -> pytensor,
torchvision -> pytensor.vision). It trains the tutorial's NeuralNetwork with SGD (lr=1e-3),
saves the state_dict and the whole model, loads both back, and predicts one image.

The tutorial downloads FashionMNIST's 60,000 training images; no download is possible here, so
it reads the real MNIST test set (10,000 images) in ../shared/datasets/mnist (see
examples/shims.py) and splits it 8,000 / 2,000; where that folder is missing it falls back to
FakeData of the same shape. On 8,000 images the tutorial's lr=1e-3 learns slowly: pass a larger
one as the second argument (python examples/quickstart.py EPOCHS LR).
"""
import os
import sys

import pytensor as torch
from pytensor import nn
from pytensor.utils.data import DataLoader, random_split
from pytensor.vision import datasets
from pytensor.vision.transforms import ToTensor

from shims import DATASETS

MNIST = os.path.join(DATASETS, "mnist")


def load_data():
    if os.path.exists(os.path.join(MNIST, "t10k-images-idx3-ubyte.gz")):
        data = datasets.MNIST(root=MNIST, train=False, download=False, transform=ToTensor())
        print("data: MNIST test set, split 8000 / 2000")
    else:
        data = datasets.FakeData(size=10000, image_size=(1, 28, 28), num_classes=10, transform=ToTensor())
        print("data: FakeData (../shared/datasets/mnist not found)")
    return random_split(data, [8000, 2000], generator=torch.Generator().manual_seed(0))


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)

        # Compute prediction error
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 100 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return correct


device = "cuda" if torch.cuda.is_available() else "cpu"


def main(epochs=5, lr=1e-3):
    torch.manual_seed(0)
    training_data, test_data = load_data()
    batch_size = 64
    train_dataloader = DataLoader(training_data, batch_size=batch_size, shuffle=True)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)
    for X, y in test_dataloader:
        print(f"Shape of X [N, C, H, W]: {X.shape}")
        print(f"Shape of y: {y.shape} {y.dtype}")
        break
    print(f"Using {device} device")
    model = NeuralNetwork().to(device)
    print(model)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    accuracy = 0.0
    for t in range(epochs):
        print(f"Epoch {t+1}\n-------------------------------")
        train(train_dataloader, model, loss_fn, optimizer)
        accuracy = test(test_dataloader, model, loss_fn)
    print("Done!")
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "pytensor_quickstart_model.pth")
    torch.save(model.state_dict(), path)
    print(f"Saved PyTorch Model State to {path}")
    model = NeuralNetwork().to(device)
    model.load_state_dict(torch.load(path, weights_only=True))

    # the whole module (pickled: loading it runs code, hence weights_only=False)
    whole = os.path.join(os.environ.get("TMPDIR", "/tmp"), "pytensor_quickstart_model_whole.pth")
    torch.save(model, whole)
    model = torch.load(whole, weights_only=False)

    classes = datasets.MNIST.classes
    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        x = x.to(device)
        pred = model(x)
        predicted, actual = classes[pred[0].argmax(0)], classes[y]
        print(f'Predicted: "{predicted}", Actual: "{actual}"')
    return accuracy


if __name__ == "__main__":
    main(epochs=int(sys.argv[1]) if len(sys.argv) > 1 else 5,
         lr=float(sys.argv[2]) if len(sys.argv) > 2 else 1e-3)
