"""The PyTorch twins of the throughput benchmark: torchvision's ResNet-50 and a CIFAR ResNet-20
with option-A shortcuts (He et al. 2015, section 4.2), trained eagerly and under
``torch.compile`` with channels_last, bf16 autocast on a GPU (float32 on a CPU, where bf16 is
slower), the same batch and image size, the batch already on the device.

    python benchmarks/torch_twin.py resnet20_cifar resnet50 --batch-size 32 \\
        --shape resnet20_cifar=32,32,1 --shape resnet50=64,64,1

torch is not a dependency of the project: without it this prints one line and exits 0.
``benchmarks/train_throughput.py`` runs it and prints its numbers beside ours.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time

MODELS = ("resnet20_cifar", "resnet50")


def torch_available() -> bool:
    """Whether torch is importable (torchvision is needed only for ResNet-50)."""
    return importlib.util.find_spec("torch") is not None


def torchvision_available() -> bool:
    """Whether torchvision is importable (the ResNet-50 twin)."""
    return importlib.util.find_spec("torchvision") is not None


def sequential_twin(model):
    """A ``torch.nn.Sequential`` that computes what the Keras ``model`` does, layer for layer,
    for a model that is one chain of Conv2D, DepthwiseConv2D, ZeroPadding2D, Activation,
    LocalResponseNormalization, MaxPooling2D, BatchNormalization, GlobalAveragePooling2D,
    Flatten, Dropout and Dense layers (our AlexNet, ZFNet, VGG and MobileNet). The last Dense's
    softmax is left to the loss (PyTorch's cross-entropy takes logits). Fresh weights: a twin
    for speed, not for outputs.

    Raises:
        ValueError: for a layer of another kind, naming it.
    """
    from torch import nn

    def activation(name: str, last: bool) -> list:
        if name in ("linear", None) or (last and name == "softmax"):
            return []
        if name == "relu":
            return [nn.ReLU()]
        if name == "relu6":
            return [nn.ReLU6()]
        raise ValueError(
            f"sequential_twin: activation {name!r} has no twin here (relu and relu6 only)."
        )

    def same_padding(layer) -> list:
        """A strided layer's "same" padding as TensorFlow computes it (more after than before
        when the total is odd), as a ZeroPad2d: PyTorch's ``padding="same"`` takes no stride."""
        config = layer.get_config()
        if config["padding"] != "same" or tuple(config["strides"]) == (1, 1):
            return []  # valid, or the conv's own padding="same"
        pads = []
        for size, k, s, d in zip(
            layer.input.shape[1:3],
            config["kernel_size"],
            config["strides"],
            config["dilation_rate"],
            strict=True,
        ):
            total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
            pads.append((total // 2, total - total // 2))
        (top, bottom), (left, right) = pads
        return [nn.ZeroPad2d((left, right, top, bottom))] if any(pads[0] + pads[1]) else []

    def same_conv_padding(config: dict):
        unstrided_same = config["padding"] == "same" and tuple(config["strides"]) == (1, 1)
        return "same" if unstrided_same else 0

    modules = []
    last = model.layers[-1]
    for layer in model.layers:
        kind, config = type(layer).__name__, layer.get_config()
        if kind == "InputLayer":
            continue
        if kind == "Conv2D":
            kernel, stride = config["kernel_size"], config["strides"]
            modules += same_padding(layer)
            modules.append(
                nn.Conv2d(
                    layer.input.shape[-1],
                    config["filters"],
                    kernel,
                    stride,
                    padding=same_conv_padding(config),
                    groups=config["groups"],
                    bias=config["use_bias"],
                )
            )
            modules += activation(config["activation"], False)
        elif kind == "DepthwiseConv2D":
            kernel, stride = config["kernel_size"], config["strides"]
            channels = layer.input.shape[-1]
            modules += same_padding(layer)
            modules.append(
                nn.Conv2d(
                    channels,
                    channels * config["depth_multiplier"],
                    kernel,
                    stride,
                    padding=same_conv_padding(config),
                    groups=channels,
                    bias=config["use_bias"],
                )
            )
            modules += activation(config["activation"], False)
        elif kind == "ZeroPadding2D":
            (top, bottom), (left, right) = config["padding"]
            modules.append(nn.ZeroPad2d((left, right, top, bottom)))
        elif kind == "GlobalAveragePooling2D" and not config["keepdims"]:
            modules += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        elif kind == "Activation":
            modules += activation(config["activation"], False)
        elif kind == "LocalResponseNormalization":  # ours: bias + alpha * sum; torch's: / size
            size = config["size"]
            modules.append(
                nn.LocalResponseNorm(size, config["alpha"] * size, config["beta"], config["bias"])
            )
        elif kind == "MaxPooling2D" and config["padding"] == "valid":
            modules.append(nn.MaxPool2d(config["pool_size"], config["strides"]))
        elif kind == "BatchNormalization":
            batch_norm = nn.BatchNorm2d if len(layer.input.shape) == 4 else nn.BatchNorm1d
            modules.append(batch_norm(layer.input.shape[-1], eps=config["epsilon"]))
        elif kind == "Flatten":
            modules.append(nn.Flatten())
        elif kind == "Dropout":
            modules.append(nn.Dropout(config["rate"]))
        elif kind == "Dense":
            modules.append(nn.Linear(layer.input.shape[-1], config["units"], config["use_bias"]))
            modules += activation(config["activation"], layer is last)
        else:
            raise ValueError(
                f"sequential_twin: layer {layer.name} ({kind}) has no twin here; a chain of "
                "Conv2D, DepthwiseConv2D, ZeroPadding2D, Activation, "
                "LocalResponseNormalization, MaxPooling2D (valid), BatchNormalization, "
                "GlobalAveragePooling2D, Flatten, Dropout and Dense works."
            )
    return nn.Sequential(*modules)


def resnet20_option_a(channels: int = 3, classes: int = 10):
    """ResNet-20 for CIFAR: 3 stages of 3 basic blocks, 16/32/64 filters; a shortcut that
    changes shape takes every other pixel and pads the new channels with zeros (option A,
    no parameters). 0.27 M parameters, as the paper's table 6."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, c_in: int, c_out: int, stride: int):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(c_out)
            self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(c_out)
            self.stride, self.pad = stride, c_out - c_in

        def forward(self, x):
            out = torch.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            shortcut = x[:, :, :: self.stride, :: self.stride] if self.stride > 1 else x
            if self.pad:
                shortcut = nn.functional.pad(shortcut, (0, 0, 0, 0, 0, self.pad))
            return torch.relu(out + shortcut)

    layers = [nn.Conv2d(channels, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    c_in = 16
    for stage, c_out in enumerate((16, 32, 64)):
        for block in range(3):
            layers.append(Block(c_in, c_out, 2 if stage and not block else 1))
            c_in = c_out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes)]
    return nn.Sequential(*layers)


def build(name: str, channels: int, classes: int):
    """The twin of our ``name``, taking ``channels``-channel images."""
    from torch import nn

    if name == "resnet20_cifar":
        return resnet20_option_a(channels, classes)
    if name == "resnet50":
        if not torchvision_available():
            raise ValueError("name='resnet50' needs torchvision, which is not installed.")
        import torchvision

        model = torchvision.models.resnet50(num_classes=classes)
        if channels != 3:
            model.conv1 = nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
        return model
    raise ValueError(f"name must be one of {', '.join(MODELS)}; received name={name!r}.")


def measure(
    name: str,
    shape: tuple[int, int, int],
    *,
    batch_size: int,
    classes: int = 10,
    warmup: int = 2,
    steps: int = 4,
    modes: tuple[str, ...] = ("eager", "compile"),
) -> list[dict]:
    """Images/s of ``steps`` training steps after ``warmup`` for each of ``modes`` (``"eager"``,
    ``"compile"``), on one batch on the device."""
    import torch

    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    if cuda:
        torch.backends.cudnn.benchmark = True
    height, width, channels = shape
    x = torch.randn(batch_size, channels, height, width, device=device)
    x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, classes, (batch_size,), device=device)
    results = []
    for mode in modes:
        torch.manual_seed(0)
        model = build(name, channels, classes).to(device, memory_format=torch.channels_last)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step(model=model, optimizer=optimizer, loss_fn=loss_fn):
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
                loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            return loss

        run = torch.compile(step) if mode == "compile" else step
        for _ in range(warmup):
            run()
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(steps):
            loss = run()
        loss.item()  # waits for the device
        seconds = time.perf_counter() - start
        results.append(
            {
                "model": name,
                "torch_model": "torchvision resnet50" if name == "resnet50" else "ResNet-20 (A)",
                "mode": mode,
                "image_shape": list(shape),
                "batch_size": batch_size,
                "precision": "bf16 autocast" if cuda else "float32",
                "device": torch.cuda.get_device_name(0) if cuda else "cpu",
                "channels_last": True,
                "images_per_s": round(steps * batch_size / seconds, 1),
                "versions": {"torch": torch.__version__},
            }
        )
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(MODELS))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--shape", action="append", default=[], help="NAME=H,W,C (default 32,32,3; 64,64,3)"
    )
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--modes", default="eager,compile")
    parser.add_argument("--json", action="store_true", help="one RESULT line per run")
    args = parser.parse_args(argv)
    if not torch_available():
        print("torch twin skipped: torch is not installed.")
        return 0
    shapes = {n: (32, 32, 3) if n.endswith("_cifar") else (64, 64, 3) for n in args.names}
    for item in args.shape:
        name, _, dims = item.partition("=")
        shapes[name] = tuple(int(d) for d in dims.split(","))
    for name in args.names:
        if name not in MODELS or (name == "resnet50" and not torchvision_available()):
            print(f"torch twin: none for {name} (resnet20_cifar; resnet50 with torchvision).")
            continue
        for result in measure(
            name,
            shapes[name],
            batch_size=args.batch_size,
            warmup=args.warmup,
            steps=args.steps,
            modes=tuple(args.modes.split(",")),
        ):
            if args.json:
                print("RESULT " + json.dumps(result), flush=True)
            else:
                print(
                    f"{result['torch_model']} ({result['mode']}, {result['precision']}): "
                    f"{result['images_per_s']} images/s",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
