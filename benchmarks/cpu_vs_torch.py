"""Training speed on this machine's CPU: ours (``cnn_keras.training.fit`` on the project's data
pipeline) on TensorFlow and on JAX, at float32 and mixed bfloat16, beside the PyTorch twin
trained eagerly at float32 and under bfloat16 autocast, interleaved in rounds.

    python benchmarks/cpu_vs_torch.py                        # every path: 20 min on 2 cores
    python benchmarks/cpu_vs_torch.py resnet20_cifar --rounds 5 --seconds 4
    python benchmarks/cpu_vs_torch.py --paths tensorflow:float32,torch:float32

The nets, as the lessons train them on the ``cpu`` profile (batch 128, Fashion-MNIST, one
channel): ``resnet20_cifar`` at 32 px and the paper's width (notebooks 05 and 10 train it
narrower); ``vgg16`` at 32 px, width 1/4, FC 256 (notebook 03); ``alexnet`` at 67 px, width
1/4, FC 256, one tower (notebook 01); ``mobilenet`` at 32 px, width 1/4 (notebook 08 and its
depthwise-separable experiment). Their PyTorch twins: ``torch_twin.resnet20_option_a`` and
``torch_twin.sequential_twin`` (layer for layer from our Keras model).

Each backend runs in its own process, started once and kept (a model is compiled once per
precision); the parent sends it one timed stretch at a time. A round times every path of every
net once, the paths' order rotating from round to round; a warm-up round (compilation) comes
first and is not counted. Each stretch trains for ``--seconds`` after ``--warmup`` batches;
ours runs ``fit`` with its callbacks (the NaN stop included) on ``tf.data``, the twin a
preloaded tensor per batch. The figure to read is ours / PyTorch at the same precision, per
round: load from other jobs moves both sides of a round alike. The JSON in
``benchmarks/results/`` has every round, the CPU's name and flags and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NETS = {  # name: (image size, build keywords), the cpu profile's settings
    "resnet20_cifar": (32, {}),
    "vgg16": (32, {"width_multiplier": 0.25, "fc_units": 256}),
    "alexnet": (67, {"width_multiplier": 0.25, "fc_units": 256, "groups": 1}),
    "mobilenet": (32, {"width_multiplier": 0.25}),
}
BACKENDS = ("tensorflow", "jax", "torch")
PRECISIONS = ("float32", "mixed_bfloat16")
DEFAULT_PATHS = tuple(f"{b}:{p}" for b in BACKENDS for p in PRECISIONS)
PAUSE = 0.3  # seconds between two stretches
CPU_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_bf16")


def parse_paths(text: str) -> list[tuple[str, str]]:
    """``"tensorflow:float32,torch:mixed_bfloat16"`` as ``[(backend, precision), ...]``; each
    backend one of :data:`BACKENDS`, each precision one of :data:`PRECISIONS`."""
    paths = []
    for item in (part.strip() for part in text.split(",")):
        backend, _, precision = item.partition(":")
        if backend not in BACKENDS or precision not in PRECISIONS:
            raise ValueError(
                f"paths must be BACKEND:PRECISION items, comma-separated, with BACKEND in "
                f"{BACKENDS} and PRECISION in {PRECISIONS}; received {item!r} in paths={text!r}."
            )
        if (backend, precision) in paths:
            raise ValueError(f"paths names {item!r} twice; received paths={text!r}.")
        paths.append((backend, precision))
    return paths


def parse_nets(names: list[str]) -> list[str]:
    """The nets to measure (default: all of :data:`NETS`), each checked."""
    for name in names:
        if name not in NETS:
            raise ValueError(f"names must be among {tuple(NETS)}; received {name!r}.")
    return list(names) or list(NETS)


def rotated(items: list, round_index: int) -> list:
    """``items`` started at ``round_index`` modulo their number: no path always goes first."""
    shift = round_index % len(items) if items else 0
    return items[shift:] + items[:shift]


def ratios(records: list[dict]) -> list[dict]:
    """Ours / PyTorch at the same precision, per net and path: each round's ratio (both
    measured in that round), their median and spread (max / min - 1). ``records`` are the
    timed stretches: ``{"round", "net", "backend", "precision", "images_per_s"}``."""
    torch = {
        (r["round"], r["net"], r["precision"]): r["images_per_s"]
        for r in records
        if r["backend"] == "torch"
    }
    rows: dict[tuple[str, str, str], dict] = {}
    for r in records:
        key = (r["net"], r["backend"], r["precision"])
        row = rows.setdefault(key, {"images_per_s": [], "ratio": []})
        row["images_per_s"].append(r["images_per_s"])
        reference = torch.get((r["round"], r["net"], r["precision"]))
        if r["backend"] != "torch" and reference:
            row["ratio"].append(r["images_per_s"] / reference)
    summary = []
    for (net, backend, precision), row in rows.items():
        rates, rs = row["images_per_s"], row["ratio"]
        summary.append(
            {
                "net": net,
                "backend": backend,
                "precision": precision,
                "rounds": len(rates),
                "images_per_s": round(statistics.median(rates), 1),
                "images_per_s_spread": round(max(rates) / min(rates) - 1, 3),
                "ratio_to_torch": round(statistics.median(rs), 3) if rs else None,
                "ratio_rounds": [round(x, 3) for x in rs],
                "ratio_spread": round(max(rs) / min(rs) - 1, 3) if rs else None,
            }
        )
    return summary


def format_table(summary: list[dict]) -> str:
    """One row per net and path: images/s (median), ours / PyTorch (median, per round)."""
    lines = [
        "| net | path | images/s | ours / PyTorch | per round | spread |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in summary:
        ratio = "-" if row["ratio_to_torch"] is None else f"{row['ratio_to_torch']:.2f}"
        per_round = " ".join(f"{x:.2f}" for x in row["ratio_rounds"]) or "-"
        spread = "-" if row["ratio_spread"] is None else f"{row['ratio_spread']:.0%}"
        lines.append(
            f"| {row['net']} | {row['backend']} {row['precision']} | {row['images_per_s']} | "
            f"{ratio} | {per_round} | {spread} |"
        )
    return "\n".join(lines)


def cpu_record() -> dict:
    """The CPU's name and cores, the flags that matter to training speed, the load average."""
    flags: set[str] = set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            line = next((s for s in file if s.startswith("flags")), "")
            flags = set(line.split(":", 1)[-1].split())
    except OSError:
        pass
    return {
        "cpu_flags": [f for f in CPU_FLAGS if f in flags],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# ---------------------------------------------------------------------------------------------
# A worker: one backend, kept between stretches.


def _worker(backend: str, batch_size: int, warmup: int, threads: int) -> None:
    if threads:  # before any library starts its thread pools (they size them by the affinity)
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])
    import worker_steps

    if backend == "torch" and threads:
        import torch

        torch.set_num_threads(threads)

    stretch = worker_steps.torch_stretch if backend == "torch" else worker_steps.keras_stretch
    for line in sys.stdin:
        job = json.loads(line)
        result = stretch(
            job["net"],
            job["precision"],
            seconds=job["seconds"],
            batch_size=batch_size,
            warmup=warmup,
            nets=NETS,
            options=job.get("options", {}),
        )
        print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)  # TensorFlow's threads can hold a normal exit for minutes


class Worker:
    """A child process running one backend's stretches on request."""

    def __init__(self, backend: str, batch_size: int, warmup: int, threads: int):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        env["KERAS_BACKEND"] = "numpy" if backend == "torch" else backend
        argv = [sys.executable, os.path.abspath(__file__), "--worker", backend]
        argv += ["--batch-size", str(batch_size), "--warmup", str(warmup)]
        argv += ["--threads", str(threads)]
        self.backend = backend
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def run(self, net: str, precision: str, seconds: float, options: dict) -> dict:
        job = {"net": net, "precision": precision, "seconds": seconds, "options": options}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith("RESULT "):
                return json.loads(line.removeprefix("RESULT "))
        raise RuntimeError(f"the {self.backend} worker stopped (exit {self.process.wait()}).")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"nets (default: {', '.join(NETS)})")
    parser.add_argument("--paths", default=",".join(DEFAULT_PATHS), help="BACKEND:PRECISION,...")
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds (10)")
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds a stretch (2)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed batches a stretch (3)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="pin each backend to this many cores (0: all; "
        "1 on a loaded machine, where PyTorch's OpenMP threads wait on each other)",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        help="KEY=VALUE for ours: steps_per_execution, "
        "jit_compile (fit's), nan_check=inline (the NaN stop on the loop's thread)",
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="time by the wall clock, or "
        "by each process's CPU time (with --threads 1 on a loaded machine: what a quiet core "
        "would do, apart from the caches other jobs share)",
    )
    parser.add_argument("--note", default="", help="recorded with the results")
    parser.add_argument("--results", default=os.path.join(HERE, "results"), help="'' to skip")
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, HERE)
    if args.worker:
        _worker(args.worker, args.batch_size, args.warmup, args.threads)
        return 0
    nets, paths = parse_nets(args.names), parse_paths(args.paths)
    if args.rounds < 1 or args.seconds <= 0:
        raise ValueError(
            f"rounds must be >= 1 and seconds > 0; received {args.rounds}, {args.seconds}."
        )
    options = dict(item.split("=", 1) for item in args.option)
    clock = {"wall": "images_per_s", "cpu": "images_per_cpu_s"}[args.clock]
    workers = {
        b: Worker(b, args.batch_size, args.warmup, args.threads) for b in {b for b, _ in paths}
    }
    records, start, load_before = [], time.perf_counter(), os.getloadavg()
    jobs = [(net, b, p) for net in nets for b, p in paths]
    try:
        for r in range(args.rounds + 1):  # round 0 warms up (compiles) and is not kept
            for net, backend, precision in rotated(jobs, r):
                # Thread pools spin a while after their last operation (PyTorch's OpenMP
                # threads for 200 ms by default): the next stretch starts once they sleep.
                time.sleep(PAUSE)
                result = workers[backend].run(net, precision, args.seconds if r else 0.5, options)
                if r:
                    result = {**result, "images_per_wall_s": result["images_per_s"]}
                    result["images_per_s"] = result[clock]
                    records.append(
                        {
                            "round": r,
                            "net": net,
                            "backend": backend,
                            "precision": precision,
                            **result,
                        }
                    )
            print(
                f"round {r}{' (warm-up)' if not r else ''} done, "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
    finally:
        for worker in workers.values():
            worker.close()
    summary = ratios(records)
    print()
    print(format_table(summary))
    load = os.getloadavg()
    print(
        f"\nimages/s: median of {args.rounds} rounds of {args.seconds} s; ours / PyTorch eager "
        f"at the same precision, per round. Load average {load_before[0]:.1f} before, "
        f"{load[0]:.1f} after. Took {time.perf_counter() - start:.0f} s."
    )
    if args.results:
        from common import write

        payload = {
            "note": args.note,
            **cpu_record(),
            "load_average_before": load_before,
            "batch_size": args.batch_size,
            "threads": args.threads or os.cpu_count(),
            "seconds": args.seconds,
            "rounds": args.rounds,
            "options": options,
            "nets": {n: NETS[n] for n in nets},
            "summary": summary,
            "records": records,
        }
        print("wrote", write("cpu_vs_torch", payload, args.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
