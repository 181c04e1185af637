"""What would stop a run from starting, each problem naming the setting and the fix."""
from __future__ import annotations

from core.spec import SpecError, TrainSpec

from .devices import available_devices
from .number_boxes import box_problems
from .wording import FIELD_LABELS


def named(error: Exception) -> str:
    """A spec's error as the page says it: the setting it is about by its label, e.g. 'lr: the learning
    rate must…' → '**Learning rate**: the learning rate must…' (the error's `field` says which)."""
    field = getattr(error, "field", None)
    if field in FIELD_LABELS:
        return f"**{FIELD_LABELS[field]}**{error.detail}"
    return str(error)


def check_settings(train: dict, dataset) -> list[str]:
    """Problems that would stop a run from starting, each naming the setting and the fix."""
    boxes = box_problems(train)
    if boxes:
        return boxes
    try:
        spec = TrainSpec.from_dict(train)
    except (SpecError, TypeError) as e:
        return [named(e)]
    problems = []
    from core.model import concrete_loss, output_units
    from core.training import check_resample, resampled_size
    from core.training.budget import check_steps
    try:
        output_units(dataset.task, dataset.n_classes, concrete_loss(spec.loss, dataset.task))
    except SpecError as e:
        problems.append(named(e))
    try:
        check_resample(spec, dataset.task)
    except SpecError as e:
        problems.append(named(e))
    n_train = resampled_size(dataset.y_train, dataset.n_classes, spec.resample if not problems else "none")
    try:
        check_steps(spec, n_train)
    except SpecError as e:
        problems.append(named(e))
    if spec.device != "auto" and spec.device not in available_devices():
        problems.append(f"**Device**: {spec.device} is not available on this machine (found: "
                        f"{', '.join(available_devices())}); choose auto or cpu.")
    if spec.batch_size > len(dataset.X_train):
        problems.append(f"**Batch size**: {spec.batch_size:,} is more than the {len(dataset.X_train):,} training "
                        f"rows, so every step uses the whole set; lower it to {min(32, len(dataset.X_train))} "
                        "for more, smaller steps.")
    return problems
