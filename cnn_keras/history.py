"""A training run's curves as Keras logs them (a ``History``, its dict, or a read ``log.csv``),
read the same way by the plots, the training summary and the experiments' runner."""

from __future__ import annotations


def main_output_logs(history) -> dict[str, list[float]]:
    """A run's curves (a ``History``, its dict, or a read ``log.csv``) under the plain keys
    (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ...) of its main output.

    A model with auxiliary classifiers (GoogLeNet's, Inception v3's) logs each output's loss
    under the output's name and ``loss`` as their weighted sum; ``compile_model`` gives the
    main output alone its metrics, so the output whose accuracy is logged is the main one, and
    its own loss replaces the sum. A one-output model's curves come back as they are."""
    logs = dict(getattr(history, "history", history))
    if "accuracy" in logs:
        return logs
    main = next(
        (
            key.removesuffix("accuracy")
            for key in logs
            if key.endswith("_accuracy") and not key.startswith("val_")
        ),
        None,
    )
    if main is None:
        return logs
    curves = {key: value for key, value in logs.items() if key == "epoch"}
    for key, value in logs.items():
        for prefix in ("", "val_"):
            if key.startswith(prefix + main):
                curves[prefix + key.removeprefix(prefix + main)] = value
    return curves
