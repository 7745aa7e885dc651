"""What a claim expects of two arms, and the test that decides it: :class:`Comparison`."""

from __future__ import annotations

import dataclasses

from cnn_keras.checks import check_bool, check_choice, check_float, check_str
from cnn_keras.experiments.metrics import Metric

# The tests a comparison can declare (cnn_keras.experiments.stats decides them).
TESTS = ("superiority", "non-inferiority", "equivalence")


@dataclasses.dataclass(frozen=True)
class Comparison:
    """What the claim expects of two arms, and the test that decides it, on ``metric(arm) -
    metric(baseline)`` paired by seed.

    Attributes:
        metric: the :class:`Metric` compared.
        arm, baseline: the two arms' names.
        expect: the direction the claim favours, ``"higher"`` or ``"lower"``: for
            ``"superiority"`` the side of 0 the difference should lie on; for
            ``"non-inferiority"`` the side on which ``arm`` may not lose by more than
            ``margin``; ignored by ``"equivalence"``.
        test: ``"superiority"`` (the claim "is better": the 95 % interval), ``"non-inferiority"``
            ("loses nothing", "does the same work for less": the 90 % interval, one-sided 5 %
            tests) or ``"equivalence"`` ("no gain", "never seemed to harm": the 90 % interval
            inside plus and minus ``margin``, two one-sided tests).
        margin: for the last two, the largest difference that still counts as no difference,
            in the metric's units (0.01 for 1 point of an accuracy), chosen before the results
            from what the paper claims.
        margin_reason: why that margin, from the paper (required with a margin).
        paper_effect: the paper's own effect in the metric's units, signed as the difference
            (``+0.012``: the arm 1.2 points higher), where it reports one; shown beside this
            budget's minimum detectable effect.
        central: whether this comparison is its lesson's central claim (``data/README.md``'s
            table of central claims lists these).
    """

    metric: Metric
    arm: str
    baseline: str
    expect: str = "higher"
    test: str = "superiority"
    margin: float | None = None
    margin_reason: str = ""
    paper_effect: float | None = None
    central: bool = False

    def __post_init__(self):
        if not isinstance(self.metric, Metric):
            raise ValueError(
                f"Comparison.metric must be a Metric (cnn_keras.experiments.metrics); "
                f"received {self.metric!r}."
            )
        check_choice("Comparison.expect", self.expect, ("higher", "lower"))
        check_choice("Comparison.test", self.test, TESTS)
        if self.test == "superiority":
            if self.margin is not None:
                raise ValueError(
                    f"Comparison.margin is for a non-inferiority or equivalence test; received "
                    f"margin={self.margin!r} with test='superiority'."
                )
        else:
            check_float(
                "Comparison.margin",
                self.margin,
                minimum=0,
                min_inclusive=False,
                hint=f"the largest difference that counts as none, in the metric's units, for "
                f"test={self.test!r}",
            )
            check_str(
                "Comparison.margin_reason",
                self.margin_reason,
                hint="why this margin, from the paper's claim",
            )
        if self.paper_effect is not None:
            check_float("Comparison.paper_effect", self.paper_effect)
        check_bool("Comparison.central", self.central)

    def describe(self) -> str:
        """``"relu - tanh in epochs to 25 % training error, expected lower"``, with the test
        and its margin where it is not a superiority test."""
        text = f"{self.arm} - {self.baseline} in {self.metric.name}"
        if self.test == "superiority":
            return f"{text}, expected {self.expect}"
        margin = self.metric.format(self.margin)
        if self.test == "equivalence":
            return f"{text}, expected within ±{margin} (equivalence)"
        side = "below" if self.expect == "higher" else "above"
        return f"{text}, expected no more than {margin} {side} 0 (non-inferiority)"
