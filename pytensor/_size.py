"""pytensor.Size: the type of `tensor.shape`, a tuple that prints as PyTorch's Size."""


class Size(tuple):
    __slots__ = ()

    def __repr__(self):
        return f"pytensor.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __reduce__(self):
        return (Size, (tuple(self),))
