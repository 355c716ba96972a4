"""The PyTorch side of `cnnsentinel-bench time-to-accuracy`: replays the library's plan of the fast recipe.

Reads from --work (written by the C# side): plan.json (every epoch's batches with each image's flips and quarter
turns, the validation files, the recipe's settings), initial.pth (the same initial weights, torchvision key names)
and first_batch.pth (the library's first training batch, to check that both sides see the same pixels).
Prints first a line with the torch version and the first batch's difference, then trains one epoch for each line
read on standard input and prints {"epoch", "seconds", "accuracy"} after it; it exits at the end of input. The clock
starts before the data are read, as on the C# side, and runs only while this side works (not while it waits), so the
two sides can take turns on the same machine.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torchvision
from PIL import Image


def network(classes: int) -> torch.nn.Module:
    # The ImageNet ResNet18 of ML.NET: torchvision's BasicBlock ResNet with blocks 2-2-2-3.
    return torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, [2, 2, 2, 3], num_classes=classes)


class Normalized(torch.nn.Module):
    """The library's InputNormalization in front of the network: subtracts the ImageNet channel mean (RGB, 0…255)."""

    def __init__(self, net: torch.nn.Module, mean):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)

    def forward(self, x):
        return self.net(x - self.mean)


def factor(epoch: int, fraction: float, epochs: int, warmup: float) -> float:
    """The library's LearningRateSchedule.Cosine(epochs, 0, warmup).FactorFor(epoch, fraction)."""
    progress = min(epoch + fraction, epochs)
    if progress < warmup:
        return progress / warmup
    annealed = (progress - warmup) / (epochs - warmup)
    return 0.5 * (1 + math.cos(math.pi * annealed))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    started = time.perf_counter()
    worked = 0.0  # seconds of work before the current wait

    def wait_for_turn() -> bool:
        nonlocal started, worked
        worked += time.perf_counter() - started
        turn = sys.stdin.readline() != ""
        started = time.perf_counter()
        return turn

    with open(os.path.join(args.work, "plan.json")) as f:
        plan = json.load(f)
    root = plan["root"]
    cache = {}

    def image(path: str) -> np.ndarray:
        # Decoded once, kept as uint8 [3, 64, 64] (the C# loader's CacheDecoded).
        if path not in cache:
            cache[path] = np.asarray(Image.open(os.path.join(root, path)).convert("RGB"), dtype=np.uint8).transpose(2, 0, 1).copy()
        return cache[path]

    def augmented(entry) -> np.ndarray:
        path, _, flip_h, flip_v, turns = entry
        x = image(path)
        if flip_h:
            x = x[:, :, ::-1]
        if flip_v:
            x = x[:, ::-1, :]
        return np.rot90(x, turns, axes=(1, 2))  # counter-clockwise, as torch.rot90 and the library

    def batch(entries, augment: bool):
        images = np.stack([augmented(e) if augment else image(e[0]) for e in entries]).astype(np.float32)
        return torch.from_numpy(images), torch.tensor([e[1] for e in entries], dtype=torch.int64)

    model = Normalized(network(plan["classes"]), plan["input_mean"])
    model.net.load_state_dict(torch.load(os.path.join(args.work, "initial.pth")))
    first_library = torch.load(os.path.join(args.work, "first_batch.pth"))["images"]
    first_here, _ = batch(plan["train"][0][0], augment=True)
    print(json.dumps({"torch": torch.__version__, "first_batch_max_abs_difference": float((first_library - first_here).abs().max())}), flush=True)

    # bf16: the training steps and the validation under PyTorch's CPU autocast, model and images channels-last
    # (oneDNN's layout for bfloat16 convolutions); weights and optimiser stay float32, as on the library's side.
    reduced = plan.get("precision") == "bf16"
    memory_format = torch.channels_last if reduced else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    optimizer = torch.optim.AdamW(model.parameters(), lr=plan["lr"], weight_decay=plan["weight_decay"])
    loss_function = torch.nn.CrossEntropyLoss(label_smoothing=plan["label_smoothing"])
    epochs, warmup = plan["epochs"], plan["warmup_epochs"]
    validation = plan["validation"]
    for epoch, batches in enumerate(plan["train"]):
        if not wait_for_turn():
            return
        model.train()
        steps = len(batches)
        for step, entries in enumerate(batches):
            for group in optimizer.param_groups:
                group["lr"] = plan["lr"] * factor(epoch, (step + 1) / steps, epochs, warmup)
            x, y = batch(entries, augment=True)
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=reduced):
                logits = model(x.contiguous(memory_format=memory_format))
            loss = loss_function(logits.float(), y)
            loss.backward()
            optimizer.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for first in range(0, len(validation), plan["batch"]):
                x, y = batch(validation[first:first + plan["batch"]], augment=False)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=reduced):
                    logits = model(x.contiguous(memory_format=memory_format))
                correct += int((logits.argmax(1) == y).sum())
        print(json.dumps({"epoch": epoch + 1, "seconds": worked + time.perf_counter() - started, "accuracy": correct / len(validation)}), flush=True)


if __name__ == "__main__":
    main()
