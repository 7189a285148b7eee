"""pytensor.utils.data: datasets, random_split, samplers, default_collate and the DataLoader,
in-process and with worker processes."""
import collections
import os

import numpy as np
import pytest

import pytensor
from pytensor.utils.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset,
                                 IterableDataset, RandomSampler, SequentialSampler, StackDataset,
                                 Subset, SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
                                 default_collate, default_convert, get_worker_info, random_split)


def gen(seed):
    g = pytensor.Generator()
    g.manual_seed(seed)
    return g


def batches_as_lists(loader):
    return [[b.tolist() if isinstance(b, pytensor.Tensor) else b for b in batch] for batch in loader]


def make_tensor_dataset(n=10):
    return TensorDataset(pytensor.arange(n * 3, dtype=pytensor.float32).reshape(n, 3), pytensor.arange(n))


# ---- datasets -----------------------------------------------------------------------------------

def test_tensor_dataset_items_and_len():
    ds = make_tensor_dataset(4)
    assert len(ds) == 4
    x, y = ds[2]
    assert x.tolist() == [6.0, 7.0, 8.0] and y.item() == 2
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(pytensor.zeros(3), pytensor.zeros(4))


def test_concat_subset_stack_chain():
    a, b = TensorDataset(pytensor.arange(3)), TensorDataset(pytensor.arange(10, 15))
    cat = a + b
    assert isinstance(cat, ConcatDataset) and len(cat) == 8 and cat.cumulative_sizes == [3, 8]
    assert [cat[i][0].item() for i in range(8)] == [0, 1, 2, 10, 11, 12, 13, 14]
    assert cat[-1][0].item() == 14
    with pytest.raises(ValueError, match="absolute value of index"):
        cat[-9]
    sub = Subset(cat, [7, 0, 3])
    assert len(sub) == 3 and [sub[i][0].item() for i in range(3)] == [14, 0, 10]
    st = StackDataset(a, Subset(b, [0, 1, 2]))
    assert len(st) == 3 and st[1][0][0].item() == 1 and st[1][1][0].item() == 11
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(a, b)
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]

    class Count(IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

    chained = Count(2) + Count(3)
    assert isinstance(chained, ChainDataset) and list(chained) == [0, 1, 0, 1, 2]


def test_random_split_sizes_disjoint_and_reproducible():
    ds = list(range(10))
    parts = random_split(ds, [3, 7], generator=gen(1))
    assert [len(p) for p in parts] == [3, 7]
    got = [ds[i] for p in parts for i in p.indices]
    assert sorted(got) == ds
    again = random_split(ds, [3, 7], generator=gen(1))
    assert [p.indices for p in again] == [p.indices for p in parts]
    assert parts[0].indices + parts[1].indices == pytensor.randperm(10, generator=gen(1)).tolist()


def test_random_split_fractions():
    parts = random_split(range(11), [0.5, 0.3, 0.2], generator=gen(0))
    # floor gives 5, 3, 2; the leftover goes to the first split
    assert [len(p) for p in parts] == [6, 3, 2]
    assert sorted(i for p in parts for i in p.indices) == list(range(11))
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [3, 3])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.9, 0.1])


# ---- samplers -----------------------------------------------------------------------------------

def test_sequential_and_batch_sampler():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert list(BatchSampler(range(7), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 1, 1)


def test_random_sampler():
    perm = list(RandomSampler(range(8), generator=gen(3)))
    assert sorted(perm) == list(range(8))
    assert perm == pytensor.randperm(8, generator=gen(3)).tolist()
    assert perm == list(RandomSampler(range(8), generator=gen(3)))
    # num_samples beyond len without replacement: whole permutations, then part of one
    long = list(RandomSampler(range(4), num_samples=10, generator=gen(0)))
    assert len(long) == 10 and sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3]
    with_rep = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=gen(0)))
    assert len(with_rep) == 50 and set(with_rep) <= {0, 1, 2}
    pytensor.manual_seed(5)
    a = list(RandomSampler(range(6)))
    pytensor.manual_seed(5)
    assert list(RandomSampler(range(6))) == a
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)


def test_subset_and_weighted_samplers():
    got = list(SubsetRandomSampler([10, 20, 30, 40], generator=gen(2)))
    assert sorted(got) == [10, 20, 30, 40]
    w = list(WeightedRandomSampler([0.0, 0.0, 1.0, 0.0], 6, generator=gen(0)))
    assert w == [2] * 6
    no_rep = list(WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False, generator=gen(0)))
    assert sorted(no_rep) == [0, 1, 2]
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1.0], 0)


# ---- collate ------------------------------------------------------------------------------------

def test_default_collate_numbers_and_tensors():
    out = default_collate([(1, 2.0, True, "a"), (3, 4.0, False, "b")])
    assert isinstance(out, list) and len(out) == 4
    assert out[0].dtype == pytensor.int64 and out[0].tolist() == [1, 3]
    assert out[1].dtype == pytensor.float64 and out[1].tolist() == [2.0, 4.0]
    assert out[2].dtype == pytensor.bool and out[2].tolist() == [True, False]
    assert tuple(out[3]) == ("a", "b")
    t = default_collate([pytensor.ones(2, 3), pytensor.zeros(2, 3)])
    assert tuple(t.shape) == (2, 2, 3) and t.sum().item() == 6
    a = default_collate([np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int32)])
    assert a.dtype == pytensor.int32 and tuple(a.shape) == (2, 3)
    s = default_collate([np.float32(1.5), np.float32(2.5)])
    assert s.dtype == pytensor.float32 and s.tolist() == [1.5, 2.5]


def test_default_collate_nested():
    Point = collections.namedtuple("Point", "x y")
    batch = [{"img": pytensor.full((2,), float(i)), "meta": {"id": i, "name": f"s{i}"},
              "pt": Point(i, [i, i + 1])} for i in range(3)]
    out = default_collate(batch)
    assert set(out) == {"img", "meta", "pt"}
    assert out["img"].tolist() == [[0, 0], [1, 1], [2, 2]]
    assert out["meta"]["id"].tolist() == [0, 1, 2] and list(out["meta"]["name"]) == ["s0", "s1", "s2"]
    assert isinstance(out["pt"], Point) and out["pt"].x.tolist() == [0, 1, 2]
    assert [c.tolist() for c in out["pt"].y] == [[0, 1, 2], [1, 2, 3]]
    od = default_collate([collections.OrderedDict(b=1, a=2)] * 2)
    assert isinstance(od, collections.OrderedDict) and list(od) == ["b", "a"]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([object(), object()])


def test_default_convert():
    out = default_convert({"a": np.arange(3), "b": (np.float64(2.0), "s")})
    assert isinstance(out["a"], pytensor.Tensor) and out["a"].tolist() == [0, 1, 2]
    assert isinstance(out["b"], list) and out["b"][0].item() == 2.0 and out["b"][1] == "s"


# ---- DataLoader, in process ---------------------------------------------------------------------

def test_loader_batches_and_len():
    ds = make_tensor_dataset(10)
    loader = DataLoader(ds, batch_size=4)
    assert len(loader) == 3
    got = list(loader)
    assert [tuple(x.shape) for x, _ in got] == [(4, 3), (4, 3), (2, 3)]
    assert [y.tolist() for _, y in got] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert got[0][0].dtype == pytensor.float32 and got[0][1].dtype == pytensor.int64
    dropped = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [y.tolist() for _, y in dropped] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    single = list(DataLoader(ds))
    assert len(single) == 10 and tuple(single[0][0].shape) == (1, 3)
    unbatched = list(DataLoader(ds, batch_size=None))
    assert tuple(unbatched[3][0].shape) == (3,) and unbatched[3][1].item() == 3


def test_loader_shuffle_determinism():
    ds = make_tensor_dataset(12)
    run = lambda seed: [y.tolist() for _, y in DataLoader(ds, batch_size=5, shuffle=True, generator=gen(seed))]
    a, b, c = run(7), run(7), run(8)
    assert a == b and a != c
    assert sorted(sum(a, [])) == list(range(12))
    pytensor.manual_seed(0)
    d = [y.tolist() for _, y in DataLoader(ds, batch_size=5, shuffle=True)]
    pytensor.manual_seed(0)
    assert [y.tolist() for _, y in DataLoader(ds, batch_size=5, shuffle=True)] == d


def test_loader_custom_sampler_collate_and_dict_samples():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full((2,), i, dtype=np.float32), "y": i * i, "name": str(i)}

    loader = DataLoader(Squares(), batch_size=2, sampler=[4, 3, 2, 1, 0])
    first = next(iter(loader))
    assert first["x"].tolist() == [[4, 4], [3, 3]] and first["y"].tolist() == [16, 9]
    assert list(first["name"]) == ["4", "3"]
    sums = list(DataLoader(Squares(), batch_size=3, collate_fn=lambda b: sum(s["y"] for s in b)))
    assert sums == [0 + 1 + 4, 9 + 16]
    by_batch_sampler = DataLoader(Squares(), batch_sampler=[[0, 4], [2]])
    assert [b["y"].tolist() for b in by_batch_sampler] == [[0, 16], [4]] and len(by_batch_sampler) == 2


def test_loader_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(Stream(), batch_size=3)) == 3
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        DataLoader(Stream(), shuffle=True)


def test_loader_argument_errors():
    ds = make_tensor_dataset(4)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=2, batch_sampler=[[0]])
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)


# ---- DataLoader, worker processes ---------------------------------------------------------------

def test_workers_match_single_process():
    ds = make_tensor_dataset(23)
    for kwargs in ({}, {"shuffle": True}, {"drop_last": True}):
        ref = batches_as_lists(DataLoader(ds, batch_size=4, generator=gen(11), **kwargs))
        got = batches_as_lists(DataLoader(ds, batch_size=4, num_workers=2, generator=gen(11), **kwargs))
        assert got == ref
    assert len(ref) == 5


class SlowFirst(Dataset):
    """Item 0 is slow, so worker 1's batches arrive first and must be held back."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 0:
            import time
            time.sleep(0.3)
        return i


def test_workers_keep_order():
    assert [b.tolist() for b in DataLoader(SlowFirst(), batch_size=1, num_workers=2)] == [[i] for i in range(8)]


class WorkerIds(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = get_worker_info()
        return (info.id, info.num_workers, info.seed, pytensor.get_num_threads(), os.getpid())


def test_worker_info_seeds_and_threads():
    assert get_worker_info() is None
    rows = [b for b in DataLoader(WorkerIds(), batch_size=None, num_workers=2, generator=gen(4))]
    ids = [r[0] for r in rows]
    assert ids == [0, 1, 0, 1, 0, 1]
    assert all(r[1] == 2 and r[3] == 1 and r[4] != os.getpid() for r in rows)
    base = int(pytensor.empty((), dtype=pytensor.int64).random_(generator=gen(4)).item())
    assert {(r[0], r[2]) for r in rows} == {(0, base), (1, base + 1)}


class Faulty(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise ValueError("bad sample 2")
        return i


def test_worker_exception_reraised_with_worker_id():
    with pytest.raises(ValueError, match=r"Caught ValueError in DataLoader worker process 0\.(.|\n)*bad sample 2"):
        list(DataLoader(Faulty(), batch_size=1, num_workers=2))


class Shard(IterableDataset):
    """Each worker yields its own share of 0..9, as PyTorch's documentation shows."""

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(10))
        return iter(range(info.id, 10, info.num_workers))


def test_workers_iterable_dataset():
    got = [b.tolist() for b in DataLoader(Shard(), batch_size=2, num_workers=2)]
    # round robin between workers: worker 0 has 0,2,4,6,8; worker 1 has 1,3,5,7,9
    assert got == [[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]


def test_persistent_workers_several_epochs():
    ds = make_tensor_dataset(9)
    loader = DataLoader(ds, batch_size=2, num_workers=2, persistent_workers=True)
    first = batches_as_lists(loader)
    it = iter(loader)
    next(it)  # an abandoned epoch: its leftover batches must not leak into the next one
    assert batches_as_lists(loader) == first == batches_as_lists(DataLoader(ds, batch_size=2))


class MatmulItems(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        a = pytensor.ones(64, 64)
        return (a @ a).sum() + i


def test_fork_after_threaded_kernels_does_not_hang():
    # Run multi-threaded kernels in the parent first, so the thread pool exists when workers fork.
    big = pytensor.ones(512, 512)
    assert (big @ big).sum().item() == 512.0 ** 3
    assert big.sum().item() == 512.0 ** 2
    loader = DataLoader(MatmulItems(), batch_size=2, num_workers=2, timeout=60)
    assert [b.tolist() for b in loader] == [[64.0 ** 3, 64.0 ** 3 + 1], [64.0 ** 3 + 2, 64.0 ** 3 + 3]]
    assert (big @ big).sum().item() == 512.0 ** 3


class Dies(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 1:
            os._exit(3)
        return i


def test_dead_worker_is_reported():
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        list(DataLoader(Dies(), batch_size=1, num_workers=2))


class Slow(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        import time
        time.sleep(1)
        return i


def test_timeout():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(DataLoader(Slow(), num_workers=1, timeout=0.2))


def test_collate_errors_name_the_field():
    ragged = [{"img": np.zeros(2), "y": (1, [np.zeros(1)])}, {"img": np.zeros(2), "y": (1, [np.zeros(3)])}]
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[1\] at "
                                           r"entry 0 and \[3\] at entry 1 \(while collating field "
                                           r"sample\['y'\]\[1\]\[0\] of the batch\)$"):
        default_collate(ragged)
    with pytest.raises(TypeError, match=r"found <class 'object'> \(while collating field sample\[1\] of the batch\)"):
        default_collate([(1, object()), (2, object())])
    Point = collections.namedtuple("Point", "x label")
    with pytest.raises(TypeError, match=r"sample\['label'\]"):
        default_collate([Point(1.0, None), Point(2.0, None)])
    # strings of a tuple field stay the tuple PyTorch returns
    assert default_collate([(1, "a"), (2, "b")])[1] == ("a", "b")
    # through a worker process too
    with pytest.raises(RuntimeError, match=r"while collating field sample\['a'\] of the batch"):
        list(DataLoader([{"a": np.zeros(i + 1)} for i in range(4)], batch_size=2, num_workers=1))


class Squares(Dataset):
    """Module-level, so spawned workers can unpickle it."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return np.float32(i * i), get_worker_info().id


def test_spawn_workers():
    loader = DataLoader(Squares(), batch_size=2, num_workers=2, multiprocessing_context="spawn")
    batches = list(loader)
    assert [b[0].tolist() for b in batches] == [[0.0, 1.0], [4.0, 9.0], [16.0, 25.0]]
    assert [b[1].tolist() for b in batches] == [[0, 0], [1, 1], [0, 0]]
    assert batches[0][0].dtype == pytensor.float32
