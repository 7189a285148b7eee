"""FakeData: random images, the same for an index every time."""
import numpy as np

import pytensor
from pytensor.vision.datasets.vision import VisionDataset


class FakeData(VisionDataset):
    """size random images of image_size (C, H, W) with labels in [0, num_classes). Samples are
    H x W (x C) uint8 arrays, as the other datasets give, so ToTensor() applies."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size, self.num_classes = size, num_classes
        self.image_size, self.random_offset = image_size, random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        g = pytensor.Generator()
        g.manual_seed(index + self.random_offset)
        img = pytensor.randn(*self.image_size, generator=g)
        target = int(pytensor.randint(0, self.num_classes, size=(1,), generator=g).item())
        arr = np.clip(np.asarray(img) * 255, 0, 255).astype(np.uint8).transpose(1, 2, 0)
        img = arr[:, :, 0].copy() if arr.shape[2] == 1 else np.ascontiguousarray(arr)
        return self._transformed(img, target)

    def __len__(self):
        return self.size
