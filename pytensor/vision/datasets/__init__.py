"""Datasets with torchvision.datasets' API."""
from pytensor.vision.datasets.cifar import CIFAR10, CIFAR100
from pytensor.vision.datasets.fakedata import FakeData
from pytensor.vision.datasets.folder import DatasetFolder, ImageFolder
from pytensor.vision.datasets.mnist import KMNIST, MNIST, FashionMNIST
from pytensor.vision.datasets.vision import StandardTransform, VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "DatasetFolder", "FakeData", "FashionMNIST", "ImageFolder", "KMNIST",
           "MNIST", "StandardTransform", "VisionDataset"]
