"""Training throughput of PyTorch on the same network, batch and thread count as the C# trainer bench.

Prints one JSON line: {"images_per_second": ..., "torch": ..., "threads": ...}.
Run by `cnnsentinel-bench trainer`; usable alone:
    python3 train_throughput.py --model resnet18 --batch 64 --size 64 --steps 20 --threads 2 [--precision bf16]

--precision bf16 runs the steps under PyTorch's own CPU autocast to bfloat16 (float32 weights and optimiser), with
the model and images in channels-last memory format, oneDNN's preferred layout for bfloat16 convolutions.
"""
import contextlib
import argparse
import json
import time

import torch
import torchvision


def build(name: str, classes: int) -> torch.nn.Module:
    if name == "resnet18":
        return torchvision.models.resnet18(num_classes=classes)
    if name == "resnet50":
        return torchvision.models.resnet50(num_classes=classes)
    if name == "vgg16":
        return torchvision.models.vgg16(num_classes=classes)
    raise SystemExit(f"unknown model {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--precision", choices=["float32", "bf16"], default="float32")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build(args.model, args.classes)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    loss_function = torch.nn.CrossEntropyLoss()
    images = torch.randn(args.batch, 3, args.size, args.size)
    labels = torch.randint(0, args.classes, (args.batch,))
    reduced = args.precision == "bf16"
    if reduced:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)

    def step() -> None:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16) if reduced else contextlib.nullcontext():
            logits = model(images)
        loss = loss_function(logits.float(), labels)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    elapsed = time.perf_counter() - start
    print(json.dumps({
        "images_per_second": args.steps * args.batch / elapsed,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "precision": args.precision,
    }))


if __name__ == "__main__":
    main()
