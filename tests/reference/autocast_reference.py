"""How far PyTorch's own bfloat16 autocast moves a training step's gradients from float32's, per parameter, for the
C# mixed-precision test (tests/CnnSentinel.Tests/Training/MixedPrecisionTests.cs).

Usage: python3 autocast_reference.py STATE_DICT BATCH
STATE_DICT: a torchvision ResNet18 state dict with 4 classes (torch.load); BATCH: {"images": N x 3 x 64 x 64,
"labels": N}. The network computes in training mode, once in float32 and once under torch.autocast("cpu",
bfloat16) with weights and images in the channels-last layout (as the library's bfloat16 steps compute), from the
same weights; the loss is cross-entropy in float32. Prints one JSON object:
{parameter name: [cosine of the two gradients, norm of the bfloat16 gradient / norm of the float32 gradient]}.
"""
import json
import sys

import torch
import torchvision


def main() -> None:
    torch.set_num_threads(2)
    state = torch.load(sys.argv[1])
    batch = torch.load(sys.argv[2])
    model = torchvision.models.resnet18(num_classes=4)
    model.train()

    def gradients(reduced: bool):
        model.load_state_dict(state)
        layout = torch.channels_last if reduced else torch.contiguous_format
        model.to(memory_format=layout)
        model.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=reduced):
            logits = model(batch["images"].contiguous(memory_format=layout))
        torch.nn.functional.cross_entropy(logits.float(), batch["labels"]).backward()
        return {name: p.grad.flatten().clone() for name, p in model.named_parameters()}

    full, reduced = gradients(False), gradients(True)
    print(json.dumps({name: [float(full[name] @ reduced[name] / (full[name].norm() * reduced[name].norm())),
                             float(reduced[name].norm() / full[name].norm())] for name in full}))


if __name__ == "__main__":
    main()
