"""cnn-keras compare: the table against cnn_keras.analysis, the published accuracies and their
sources, the charts, and clear errors. Builds only small models (the full run is timed apart:
``cnn-keras compare`` for all models)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from cnn_keras import analysis, cli, compare, get_spec, list_models, machine, plots, tables

SMALL = ["googlenet", "alexnet", "mobilenet"]


@pytest.fixture(scope="module")
def published():
    return compare.load_published()


def test_published_table_has_every_imagenet_model_with_a_source(published):
    assert sorted(published) == list_models(imagenet=True)
    for name, row in published.items():
        figures = [row[k] for k in ("top1", "top5", "top1_other", "top5_other")]
        assert row["source"], f"{name} has no source"
        assert all(v is None or 50 < v < 100 for v in figures), name
        if row["top1"] is None or row["top5"] is None:
            assert row["note"], f"{name} has an empty accuracy and no note"
        # A figure from another evaluation only where no single-crop one exists.
        if row["top1"] is not None:
            assert row["top1_other"] is None, name
        assert row["top1"] is not None or row["top1_other"] is not None, name


def test_published_accuracies_known_values(published):
    # keras.applications docs table and the papers' tables, as in the CSV's sources.
    assert (published["vgg16"]["top1"], published["vgg16"]["top5"]) == (71.3, 90.1)
    assert (published["resnet50"]["top1"], published["resnet50"]["top5"]) == (74.9, 92.1)
    assert published["googlenet"]["top1"] == 71.0
    assert published["inception_resnet_v2"]["top1"] == 80.1
    assert published["alexnet"]["top1"] is None and published["alexnet"]["top1_other"] == 59.3


def test_compare_rows_equal_analysis(published, capsys):
    rows = compare.compare(SMALL, published=published)
    assert "3/3" in capsys.readouterr().out  # the progress bar
    assert [r.model for r in rows] == SMALL
    for row in rows:
        spec = get_spec(row.model)
        model = spec.build()
        assert row.family == spec.family.name and row.input_size == spec.input_size
        assert row.params == analysis.count_params(model).total
        assert row.macs == analysis.count_macs(model)
        assert row.activation_bytes == analysis.activation_memory(model)
        assert row.weight_bytes == 4 * row.params
        assert row.top1 == published[row.model]["top1"]
        assert row.source == published[row.model]["source"]
    by_name = {r.model: r for r in rows}
    assert by_name["googlenet"].year == 2015 and by_name["alexnet"].year == 2012
    assert by_name["alexnet"].best_top1 == 59.3 and not by_name["alexnet"].single_crop


def test_default_is_every_imagenet_model():
    assert compare.check_names(None) == list_models(imagenet=True)
    assert compare.check_names([]) == list_models(imagenet=True)


def test_run_writes_table_and_charts(tmp_path, capsys):
    paths = compare.run(
        ["googlenet", "mobilenet"],
        output=tmp_path / "out",
        latency=True,
        batch_sizes=[1, 2],
        warmup=1,
        repeats=1,
        progress=False,
    )
    printed = capsys.readouterr().out
    assert "googlenet" in printed and "ms@2" in printed
    expected = {
        "complexity.csv",
        "accuracy_vs_macs.png",
        "accuracy_vs_macs.svg",
        "accuracy_vs_latency.png",
        "accuracy_vs_latency.svg",
    }
    assert {p.name for p in paths.values()} == expected
    for path in paths.values():
        assert path.stat().st_size > 0
    table = tables.read_table(paths["table"])
    assert [r["model"] for r in table] == ["googlenet", "mobilenet"]
    assert all(float(r["latency_b1_ms"]) > 0 and float(r["latency_b2_ms"]) > 0 for r in table)
    assert int(table[0]["params"]) == 6_998_552
    assert "measured on" in paths["table"].read_text()
    # The chart functions take the CSV's string rows too.
    compare.plot_accuracy_vs_macs(table)
    compare.plot_accuracy_vs_latency(table, batch_size=2)


def test_cli_compare(tmp_path, capsys):
    status = cli.main(["compare", "resnet18", "--output", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "resnet18" in out and (tmp_path / "complexity.csv").stat().st_size > 0
    assert (tmp_path / "accuracy_vs_macs.svg").stat().st_size > 0
    assert not (tmp_path / "accuracy_vs_latency.png").exists()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"names": ["vgg17"]}, ["names", "'vgg17'", "vgg16"]),
        ({"names": ["resnet20_cifar"]}, ["names", "'resnet20_cifar'", "resnet50"]),
        ({"latency": True, "batch_sizes": [0]}, ["batch_sizes", "(0,)", ">= 1"]),
        ({"latency": True, "batch_sizes": []}, ["batch_sizes", "()", ">= 1"]),
    ],
)
def test_bad_arguments(tmp_path, kwargs, words):
    kwargs = {"names": ["googlenet"], "output": tmp_path, **kwargs}
    with pytest.raises(ValueError) as error:
        compare.run(**kwargs)
    for word in words:
        assert word in str(error.value)


def test_output_that_is_a_file(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("x")
    with pytest.raises(ValueError, match="output must be a folder; received output=.*file.txt"):
        compare.run(["googlenet"], output=path)


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root writes to read-only folders"
)
def test_output_that_cannot_be_written(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ValueError, match="output=.*locked.* cannot be written"):
            compare.run(["googlenet"], output=folder / "sub")
    finally:
        folder.chmod(0o700)


def test_cli_reports_bad_input(capsys, tmp_path):
    assert cli.main(["compare", "nonet", "--output", str(tmp_path)]) == 2
    assert "unknown ImageNet model 'nonet'" in capsys.readouterr().err
    status = cli.main(["compare", "googlenet", "--latency", "--batch-sizes", "0"])
    assert status == 2
    assert "--batch-sizes: 0 is below 1" in capsys.readouterr().err


def test_latency_arguments():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert compare.measure_latency(model, 3, warmup=0, repeats=2) > 0
    with pytest.raises(ValueError, match="repeats must be an int >= 1; received repeats=0"):
        compare.measure_latency(model, 1, repeats=0)
    with pytest.raises(ValueError, match="batch_sizes"):
        compare.measure_latency(model, 0)


def test_chart_without_latency_says_so():
    with pytest.raises(ValueError, match="batch_size=1: no row has 'latency_b1_ms'"):
        compare.plot_accuracy_vs_latency([{"model": "x", "family": "X", "params": 1, "macs": 1}])


def test_output_under_a_file_cannot_be_written(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ValueError, match="output=.*file.txt/sub.* cannot be written"):
        compare.run(["googlenet"], output=tmp_path / "file.txt" / "sub")


def test_read_csv_round_trip(tmp_path, published):
    rows = compare.compare(["googlenet"], published=published, progress=False)
    rows[0].latency_ms[4] = 12.5
    path = compare.write_csv(rows, tmp_path / "table.csv")
    again = compare.read_csv(path, published=published)
    assert [r.as_dict() for r in again] == [r.as_dict() for r in rows]


ROOT = tables.project_file("pyproject.toml").parent


def test_committed_figures_exist_and_are_not_empty():
    """`make figures` output, committed: the comparison and one diagram per family module."""
    compare_files = ["complexity.csv", "accuracy_vs_macs.png", "accuracy_vs_macs.svg"]
    diagrams = [
        "inception_module_3a",
        "inception_v3_block_35x35",
        "inception_resnet_v1_block_a",
        "residual_basic_block",
        "residual_bottleneck_block",
        "resnext_bottleneck_block",
        "dense_block",
        "depthwise_separable_block",
        "alexnet",
        "vgg16",
        "googlenet",
        "resnet18",
        "mobilenet",
    ]
    paths = [ROOT / "figures" / "compare" / name for name in compare_files]
    paths += [ROOT / "figures" / "diagrams" / f"{name}.png" for name in diagrams]
    for path in paths:
        assert path.is_file() and path.stat().st_size > 0, f"{path} missing: run `make figures`"
    table = compare.read_csv(ROOT / "figures" / "compare" / "complexity.csv")
    assert [row.model for row in table] == list_models(imagenet=True)


def test_accuracy_chart_labels_do_not_overlap_and_bubbles_follow_size():
    """The committed table's chart: no label covers another (Inception v3 and
    Inception-ResNet-v1 sit almost on one point), and ``size`` picks what a bubble's area is."""
    import matplotlib.pyplot as plt
    from matplotlib.text import Annotation

    rows = tables.read_table(tables.project_file("figures/compare/complexity.csv"))
    areas = {}
    for size in ("params", "activation_bytes"):
        figure = compare.plot_accuracy_vs_macs(rows, size=size)
        ax = figure.axes[0]
        renderer = figure.canvas.get_renderer()
        labels = [t for t in ax.texts if isinstance(t, Annotation)]
        assert sorted(t.get_text() for t in labels) == sorted(r["model"] for r in rows)
        if size == "params":
            boxes = [t.get_window_extent(renderer) for t in labels]
            for i, box in enumerate(boxes):
                assert not any(box.overlaps(other) for other in boxes[i + 1 :]), labels[i]
        sizes = [s for c in ax.collections for s in c.get_sizes()]
        areas[size] = dict(zip((r["model"] for r in rows), sizes, strict=True))
        plt.close(figure)
    assert max(areas["params"], key=areas["params"].get) == "vgg19"
    assert max(areas["activation_bytes"], key=areas["activation_bytes"].get) == "densenet264"
    with pytest.raises(ValueError, match=r"size must be one of params.*size='flops'"):
        compare.plot_accuracy_vs_macs(rows, size="flops")


def test_tables_are_package_data_read_from_any_folder(tmp_path, monkeypatch):
    """Installed elsewhere, `cnn-keras compare` read its table from the current folder's
    parents and failed (issue 14): the tables ship in the package."""
    monkeypatch.chdir(tmp_path)  # outside the checkout: no cnn_keras/tables above it
    with pytest.raises(FileNotFoundError):
        tables.project_file("cnn_keras/tables/published_accuracy.csv")
    # compare.compare joins this table (test_compare_rows_equal_analysis): no build needed here.
    googlenet = compare.load_published()["googlenet"]
    assert googlenet["top1"] == 71.0 and googlenet["source"].startswith("Szegedy et al.")
    for name in ("ilsvrc_winners.csv", "mobilenet_accuracy.csv", "resnet_cifar10_table6.csv"):
        assert tables.read_table(tables.table_file(name)), name
    with pytest.raises(FileNotFoundError, match=r"No table 'nope.csv'.*published_accuracy.csv"):
        tables.table_file("nope.csv")


def test_reading_a_table_needs_no_matplotlib():
    """Reading a table imported matplotlib through plots.py (issue 12): the tables now live in
    cnn_keras.tables, which works where matplotlib is not installed. Keras imports
    matplotlib itself when it can, so the child blocks it as if it were not installed. The
    JAX backend: the import chain is the same, and TensorFlow's import would double the time."""
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None  # import matplotlib raises ImportError\n"
        "from cnn_keras import compare, tables\n"
        "rows = tables.read_table(tables.table_file('ilsvrc_winners.csv'))\n"
        "published = compare.load_published()\n"
        "print(len(rows), published['vgg16']['top1'], 'cnn_keras.plots' in sys.modules)\n"
    )
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(tables.__file__)))
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": package_root}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    winners = tables.read_table(tables.table_file("ilsvrc_winners.csv"))
    assert done.stdout.split() == [str(len(winners)), "71.3", "False"]
    for name in ("table_file", "read_table", "project_file"):
        assert not hasattr(plots, name), f"plots.{name} is back: read tables with cnn_keras.tables"


def test_one_device_description(monkeypatch, tmp_path):
    """The device is described once (cnn_keras.machine, issue 12): figure captions, compare's
    CSV and the benchmarks' records say it in the same words."""
    line = machine.device_name()
    if machine.gpu_available():
        assert line.startswith("GPU: ")
    else:
        assert line == f"CPU: {machine.cpu_name()}" and line.endswith(f", {os.cpu_count()} cores")
    spec = importlib.util.spec_from_file_location("common", ROOT / "benchmarks" / "common.py")
    common = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(common)
    assert common.environment()["device"] == line
    monkeypatch.setattr(machine, "gpu_names", lambda: ["NVIDIA H200", "NVIDIA T4", "NVIDIA H200"])
    line = "GPU: 2 x NVIDIA H200, NVIDIA T4"
    assert machine.device_name() == line and machine.gpu_available()
    assert plots.machine_caption("profile=smoke") == f"profile=smoke | {line}"
    assert common.environment()["device"] == line
    row = compare.ComparisonRow("x", "X", "X (2012)", 2012, 8, 1, 1, 4, 4, latency_ms={1: 2.5})
    text = compare.write_csv([row], tmp_path / "table.csv").read_text()
    assert f"measured on {line}, backend=" in text
