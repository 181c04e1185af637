"""The Data page: pick a built-in dataset, upload a CSV or reopen an earlier upload; see it; choose how
it is split and scaled.

Public surface:
    source_picker(ref) -> source          where the data comes from
    chosen_ref(source, ref, pp) -> ref    that source's controls, and the reference of the dataset they make
    preprocessing(ref) -> pp              scaling and split
    removal_outcome()                     what removing an earlier upload did, once
    use_dataset(ref) -> (ref, Dataset)    put a reference in use (the default dataset when it cannot be built)
    remember_choice(ref, previous)        an upload's settings kept for reopening it
    preview(dataset)                      the dataset in use: size, split, points / images / rows, balance
    remove_upload(sha, name)              the removal of an earlier upload (refused while a run trains on it)
    charts: scatter_2d, image_grid, class_balance (pure: a Dataset in, a plotly figure out)
"""
from .charts import class_balance, image_grid, scatter_2d
from .chosen import remember_choice, use_dataset
from .preprocessing import preprocessing
from .preview import preview
from .removal import remove_upload, removal_outcome
from .source import chosen_ref, source_picker

__all__ = ["chosen_ref", "class_balance", "image_grid", "preprocessing", "preview", "remember_choice",
           "remove_upload", "removal_outcome", "scatter_2d", "source_picker", "use_dataset"]
