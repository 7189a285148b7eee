"""Datasets, samplers and the DataLoader, with torch.utils.data's API."""
from pytensor.utils.data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset,
                                         StackDataset, Subset, TensorDataset, random_split)
from pytensor.utils.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                                         SubsetRandomSampler, WeightedRandomSampler)
from pytensor.utils.data.dataloader import (DataLoader, WorkerInfo, default_collate, default_convert,
                                            get_worker_info)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
           "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
           "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "WorkerInfo",
           "default_collate", "default_convert", "get_worker_info", "random_split"]
