"""DataLoader: batches drawn through a sampler, collated, in this process or in worker processes.

Worker processes (num_workers > 0) each get index batches round-robin on their own queue and
send (task index, batch) back on one shared queue; the main process buffers batches that arrive
early so they come out in sampler order. Tensors cross processes by pickling.
"""
import collections.abc
import itertools
import multiprocessing
import os
import queue
import random
import sys
import traceback
import warnings

import numpy as np

import pytensor
from pytensor import _C
from pytensor.utils.data.dataset import IterableDataset
from pytensor.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "WorkerInfo", "default_collate", "default_convert", "get_worker_info"]

_STRING_KINDS = "SaUO"  # numpy arrays of strings or objects are not converted to tensors


# ---- collation --------------------------------------------------------------------------------

def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _rebuild_like(elem, items):
    """A container of elem's type holding `items` (a dict or a list), or a plain one if the type
    cannot be built that way."""
    try:
        return type(elem)(items)
    except TypeError:
        return items


def default_convert(data):
    """numpy arrays and scalars become tensors, through dicts, lists and tuples; the rest is kept."""
    if isinstance(data, _C.Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        return data if data.dtype.kind in _STRING_KINDS else pytensor.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_like(data, {k: default_convert(v) for k, v in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_like(data, [default_convert(d) for d in data])
    return data


_COLLATE_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                  "lists; found {}")


_ANNOTATED_ERRORS = (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError)


def _collate_field(key, samples):
    """default_collate of one field; an error names the field's path in the sample (PyTorch's
    messages do not say which field of a dict or tuple failed)."""
    try:
        return default_collate(samples)
    except _ANNOTATED_ERRORS as e:
        if type(e) not in _ANNOTATED_ERRORS:
            raise
        message, path = getattr(e, "_collate_field", (str(e), ""))
        path = f"[{key!r}]{path}"
        error = type(e)(f"{message} (while collating field sample{path} of the batch)")
        error._collate_field = (message, path)
        raise error.with_traceback(e.__traceback__) from None


def default_collate(batch):
    """Stacks a list of samples into a batch: tensors and arrays are stacked along a new first
    dim, Python numbers become a tensor (floats float64, ints int64, bools bool), strings stay a
    sequence, and dicts / lists / tuples / namedtuples are collated field by field."""
    elem = batch[0]
    if isinstance(elem, _C.Tensor):
        return pytensor.stack(list(batch), 0)
    if isinstance(elem, (np.ndarray, np.generic)):
        if elem.dtype.kind in _STRING_KINDS:
            raise TypeError(_COLLATE_ERROR.format(elem.dtype))
        if isinstance(elem, np.ndarray):
            return default_collate([pytensor.as_tensor(b) for b in batch])
        return pytensor.as_tensor(np.array(batch))
    if isinstance(elem, float):
        return pytensor.tensor(batch, dtype=pytensor.float64)
    if isinstance(elem, int):  # bool included: tensor() keeps it bool
        return pytensor.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_like(elem, {k: _collate_field(k, [d[k] for d in batch]) for k in elem})
    if _is_namedtuple(elem):
        return type(elem)(*(_collate_field(k, s) for k, s in zip(elem._fields, zip(*batch))))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [_collate_field(i, s) for i, s in enumerate(zip(*batch))]
        return columns if isinstance(elem, tuple) else _rebuild_like(elem, columns)
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


# ---- fetching samples -------------------------------------------------------------------------

class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: the dataset decides what comes next."""

    def __iter__(self):
        while True:
            yield None


class _MapFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if hasattr(self.dataset, "__getitems__"):
            return self.collate_fn(self.dataset.__getitems__(index))
        return self.collate_fn([self.dataset[i] for i in index])


class _IterableFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.it, self.auto_collation = iter(dataset), auto_collation
        self.collate_fn, self.drop_last, self.ended = collate_fn, drop_last, False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        data = []
        for _ in index:
            try:
                data.append(next(self.it))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def _make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last):
    return (_IterableFetcher if iterable else _MapFetcher)(dataset, auto_collation, collate_fn, drop_last)


# ---- worker processes -------------------------------------------------------------------------

class WorkerInfo:
    """What get_worker_info() returns inside a worker: id, num_workers, seed and its dataset copy."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"WorkerInfo({fields})"


_worker_info = None


def get_worker_info():
    """The current worker's WorkerInfo, or None in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried back as its type and formatted traceback."""

    def __init__(self, where):
        self.exc_type, self.where = sys.exc_info()[0], where
        self.exc_msg = traceback.format_exc()

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class _IterableDatasetStopIteration:
    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at a new epoch: start the dataset over, then acknowledge."""


_WORKER_POLL_S = 0.2


def _worker_loop(iterable, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers):
    global _worker_info
    try:
        # One thread per worker: num_workers processes already share the cores.
        pytensor.set_num_threads(1)
        seed = base_seed + worker_id
        random.seed(seed)
        pytensor.manual_seed(seed)
        np.random.seed(seed % 2**32)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_error = fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(where)
        ended, parent = False, os.getppid()
        while True:
            # The None sent at shutdown may never arrive (queues torn down by garbage collection
            # in the parent), so idle workers also watch the done event and their parent.
            try:
                task = index_queue.get(timeout=_WORKER_POLL_S)
            except queue.Empty:
                if done_event.is_set() or os.getppid() != parent:
                    break
                continue
            if task is None:
                break
            if isinstance(task, _ResumeIteration):
                fetcher = _make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
                ended = False
                data_queue.put((task, None))
                continue
            if done_event.is_set() or ended:
                continue
            idx, index = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where)
                    else:
                        data, ended = _IterableDatasetStopIteration(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where)
            data_queue.put((idx, data))
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()


# ---- iterators --------------------------------------------------------------------------------

def _pin_memory(data):
    """The batch with every tensor in page-locked memory (containers rebuilt as collate does;
    objects with their own pin_memory() method pin themselves)."""
    if callable(getattr(data, "pin_memory", None)) and not isinstance(data, type):
        return data.pin_memory()
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        pinned = {k: _pin_memory(v) for k, v in data.items()}
        try:
            return type(data)(pinned)
        except TypeError:  # a mapping type that cannot be built from a dict
            return pinned
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return type(data)(*(_pin_memory(v) for v in data))
    if isinstance(data, tuple):
        return tuple(_pin_memory(v) for v in data)
    if isinstance(data, collections.abc.Sequence):
        return [_pin_memory(v) for v in data]
    return data


class _BaseIter:
    def __init__(self, loader):
        self._loader = loader
        # Pinned batches copy to the GPU asynchronously (.to("cuda", non_blocking=True)).
        self._pin = loader.pin_memory and pytensor.cuda.is_available()
        self._iterable = isinstance(loader.dataset, IterableDataset)
        self._sampler_iter = iter(loader._index_sampler)
        # Drawn from the loader's generator as PyTorch does, so both paths consume it alike.
        self._base_seed = int(pytensor.empty((), dtype=pytensor.int64).random_(generator=loader.generator).item())

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._fetcher = _make_fetcher(self._iterable, loader.dataset, loader._auto_collation,
                                      loader.collate_fn, loader.drop_last)

    def __next__(self):
        data = self._fetcher.fetch(next(self._sampler_iter))
        return _pin_memory(data) if self._pin else data


class _MultiProcessIter(_BaseIter):
    _POLL_S = 1.0  # how often a blocked main process checks that its workers are alive

    def __init__(self, loader):
        super().__init__(loader)
        ctx = loader.multiprocessing_context
        if ctx is None:
            ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        elif isinstance(ctx, str):
            ctx = multiprocessing.get_context(ctx)
        n = self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor * n
        self._persistent = loader.persistent_workers
        self._data_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues, self._workers = [], []
        for i in range(n):
            iq = ctx.Queue()
            iq.cancel_join_thread()
            w = ctx.Process(target=_worker_loop, daemon=True, args=(
                self._iterable, loader.dataset, iq, self._data_queue, self._done_event,
                loader._auto_collation, loader.collate_fn, loader.drop_last, self._base_seed,
                loader.worker_init_fn, i, n))
            w.start()
            self._index_queues.append(iq)
            self._workers.append(w)
        self._shut = False
        self._reset(first=True)

    def _reset(self, first=False):
        if not first:
            self._sampler_iter = iter(self._loader._index_sampler)
        self._send_idx = self._rcvd_idx = 0
        self._task_info = {}  # task index -> (worker id,) then (worker id, data) once it arrived
        self._active = [True] * self._num_workers
        self._cycle = itertools.cycle(range(self._num_workers))
        if not first:
            # Results of an abandoned epoch arrive before each worker's acknowledgement: drop them.
            for iq in self._index_queues:
                iq.put(_ResumeIteration())
            acks = 0
            while acks < self._num_workers:
                if isinstance(self._get()[0], _ResumeIteration):
                    acks += 1
        for _ in range(self._prefetch):
            self._put_index()

    def _put_index(self):
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            w = next(self._cycle)
            if self._active[w]:
                break
        else:
            return
        self._index_queues[w].put((self._send_idx, index))
        self._task_info[self._send_idx] = (w,)
        self._send_idx += 1

    def _get(self):
        timeout = self._loader.timeout
        while True:
            try:
                return self._data_queue.get(timeout=timeout if timeout > 0 else self._POLL_S)
            except queue.Empty:
                if timeout > 0:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) "
                                       "exited unexpectedly") from None

    def __next__(self):
        while True:
            # Skip tasks given to iterable-dataset workers that have since run dry.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info[self._rcvd_idx]
                if len(info) == 2 or self._active[info[0]]:
                    break
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                return self._deliver(self._task_info.pop(self._rcvd_idx)[1])
            idx, data = self._get()
            if isinstance(data, _IterableDatasetStopIteration):
                self._active[data.worker_id] = False
                self._put_index()
                continue
            if idx != self._rcvd_idx:
                self._task_info[idx] += (data,)
                continue
            del self._task_info[idx]
            return self._deliver(data)

    def _deliver(self, data):
        self._rcvd_idx += 1
        self._put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return _pin_memory(data) if self._pin else data

    def _shutdown(self):
        if self._shut:
            return
        self._shut = True
        self._done_event.set()
        for iq in self._index_queues:
            iq.put(None)
        for w in self._workers:
            w.join(timeout=5)
            if w.is_alive():
                w.terminate()
        for q in self._index_queues + [self._data_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self):
        try:
            self._shutdown()
        except Exception:
            pass


# ---- DataLoader -------------------------------------------------------------------------------

class DataLoader:
    """Iterates over `dataset` in batches of batch_size (samples collated with collate_fn)."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        if isinstance(dataset, IterableDataset):
            for name, value, unset in (("shuffle", shuffle, (None, False)), ("sampler", sampler, (None,)),
                                       ("batch_sampler", batch_sampler, (None,))):
                if value not in unset:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} "
                                     f"option, but got {name}={value}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            if isinstance(dataset, IterableDataset):
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if pin_memory and not pytensor.cuda.is_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then "
                          "device pinned memory won't be used.")

        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.num_workers = sampler, batch_sampler, num_workers
        self.pin_memory, self.pin_memory_device, self.timeout = pin_memory, pin_memory_device, timeout
        self.worker_init_fn, self.multiprocessing_context = worker_init_fn, multiprocessing_context
        self.generator, self.prefetch_factor = generator, prefetch_factor
        self.persistent_workers, self.in_order = persistent_workers, in_order
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if self._auto_collation else default_convert)
        self._iterator = None

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if not self.persistent_workers:
            return _MultiProcessIter(self)
        if self._iterator is None or self._iterator._shut:
            self._iterator = _MultiProcessIter(self)
        else:
            self._iterator._reset()
        return self._iterator

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)
