"""Fixed-width text tables: the one printer behind ``analysis.format_table`` (a model's layers),
``compare.format_rows`` (the ImageNet models side by side) and ``cnn-keras models``.

The look: the header, a rule of dashes, the rows, and optionally a second rule and a totals row;
columns two spaces apart, each as wide as its widest cell, text aligned left and numbers right;
no trailing spaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def format_table(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    align: str,
    totals: Sequence[object] | None = None,
) -> str:
    """The rows as a fixed-width text table.

    Args:
        header: the column names.
        rows: one sequence of cells per row, as many as the header has; cells print as ``str``.
        align: one letter per column, ``"l"`` (left, for text) or ``"r"`` (right, for
            numbers): ``"llr"`` for a name, a kind and a count.
        totals: a last row, set apart by a second rule (``None``: none).

    Raises:
        ValueError: if ``align`` is not one ``l`` or ``r`` per column, or a row (or ``totals``)
            has another number of cells than the header.
    """
    names = [str(cell) for cell in header]
    if len(align) != len(names) or set(align) - {"l", "r"}:
        raise ValueError(
            f"align must be one 'l' or 'r' per column ({len(names)} columns: {names}); "
            f"received align={align!r}."
        )
    body = [[str(cell) for cell in row] for row in rows]
    last = [] if totals is None else [[str(cell) for cell in totals]]
    labelled = [(f"rows[{i}]", row) for i, row in enumerate(body)] + [("totals", r) for r in last]
    for label, row in labelled:
        if len(row) != len(names):
            raise ValueError(
                f"{label} has {len(row)} cells, the header {len(names)} ({names}); "
                f"received {label}={row!r}."
            )
    widths = [max(len(row[i]) for row in [names, *body, *last]) for i in range(len(names))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) if side == "l" else cell.rjust(width)
            for cell, width, side in zip(cells, widths, align, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    lines = [line(names), rule, *map(line, body)]
    if last:
        lines += [rule, line(last[0])]
    return "\n".join(lines)
