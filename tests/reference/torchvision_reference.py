"""Reference outputs of torchvision networks for the C# parity tests (tests/CnnSentinel.Tests/Models).

Usage: python3 torchvision_reference.py OUTPUT_FOLDER NETWORK [NETWORK ...]
       python3 torchvision_reference.py --load STATE_DICT NETWORK
       python3 torchvision_reference.py --shapes
with NETWORK one of vgg16, densenet201, resnet18, resnet50.
The second form checks that a state dict written by the C# side loads strictly into the network.
The third prints, as JSON, the state-dict keys and shapes of torchvision's own VGG16 (with its 4096-4096
classifier, whose weights are too large to save for a test) for 1000 classes.

For each network it writes, with random weights (nothing is downloaded) and a fixed seed:
  <network>.pth          the state dict (torch.save), to load into the C# builder;
  <network>.safetensors  the same state dict as safetensors (resnet18 only, written by hand:
                         Debian's python3 has no safetensors package);
  <network>_io.pth       {"input": N x 3 x 64 x 64, "output": the eval-mode logits};
  <network>_atrous.pth   (resnet18 and resnet50) {"input": 1 x 3 x 96 x 96, "stride16", "stride8": the
                         convolutional part's feature map with the later stages dilated instead of strided}.
                         ResNet50's is torchvision's own (replace_stride_with_dilation); torchvision refuses it
                         for basic blocks, so ResNet18's modules are changed here, the same rule written again.
Batch-norm statistics and affine parameters are randomised too, so that eval mode is exercised.
VGG16 carries the original CNN-Sentinel head (global average pooling, 2048, 2048, classes) on
torchvision's features; the other networks are torchvision's own, with 10 classes.
"""
import copy
import json
import struct
import sys

import torch
from torch import nn
import torchvision

CLASSES = 10


class Vgg16OriginalHead(nn.Module):
    """torchvision's VGG16 features + the original's head, under the C# builder's module names."""

    def __init__(self):
        super().__init__()
        self.features = torchvision.models.vgg16().features
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(512, 2048), nn.ReLU(inplace=True),
            nn.Linear(2048, 2048), nn.ReLU(inplace=True),
            nn.Linear(2048, CLASSES))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


BUILDERS = {
    "vgg16": (Vgg16OriginalHead, 2),
    "densenet201": (lambda: torchvision.models.densenet201(num_classes=CLASSES), 2),
    "resnet18": (lambda: torchvision.models.resnet18(num_classes=CLASSES), 2),
    "resnet50": (lambda: torchvision.models.resnet50(num_classes=CLASSES), 2),
}


def randomise_batch_norm(model):
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.0)
                module.bias.normal_(0.0, 0.1)
                module.running_mean.normal_(0.0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.num_batches_tracked.fill_(7)


def save_safetensors(state_dict, path):
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for key, tensor in state_dict.items():
        data = tensor.contiguous().numpy().tobytes()
        header[key] = {"dtype": names[tensor.dtype], "shape": list(tensor.shape),
                       "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def dilate_basic_blocks(model, output_stride):
    """ResNet18 with every stride that would pass output_stride turned into dilation of the convolutions after it."""
    model = copy.deepcopy(model)
    stride, dilation = 4, 1  # after the stem
    for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
        for block in layer:
            step = block.conv1.stride[0]
            if step > 1 and stride * step > output_stride:
                block.conv1.stride, block.conv1.dilation, block.conv1.padding = (1, 1), (dilation, dilation), (dilation, dilation)
                if block.downsample is not None:
                    block.downsample[0].stride = (1, 1)
                dilation *= step
            elif step > 1:
                stride *= step
            else:
                block.conv1.dilation = block.conv1.padding = (dilation, dilation)
            block.conv2.dilation = block.conv2.padding = (dilation, dilation)
    return model


def atrous(model, name, output_stride):
    if name == "resnet50":
        replace = {16: [False, False, True], 8: [False, True, True]}[output_stride]
        dilated = torchvision.models.resnet50(num_classes=CLASSES, replace_stride_with_dilation=replace)
        dilated.load_state_dict(model.state_dict())
    else:
        dilated = dilate_basic_blocks(model, output_stride)
    dilated.eval()
    return nn.Sequential(*list(dilated.children())[:-2])  # up to layer4: no average pooling, no fc


def main(folder, networks):
    for name in networks:
        build, batch = BUILDERS[name]
        torch.manual_seed(42)
        model = build()
        randomise_batch_norm(model)
        model.eval()
        inputs = torch.randn(batch, 3, 64, 64)
        with torch.no_grad():
            outputs = model(inputs)
        torch.save(model.state_dict(), f"{folder}/{name}.pth")
        torch.save({"input": inputs, "output": outputs}, f"{folder}/{name}_io.pth")
        if name == "resnet18":
            save_safetensors(model.state_dict(), f"{folder}/{name}.safetensors")
        if name in ("resnet18", "resnet50"):
            image = torch.randn(1, 3, 96, 96)
            with torch.no_grad():
                maps = {f"stride{s}": atrous(model, name, s)(image) for s in (16, 8)}
            torch.save({"input": image, **maps}, f"{folder}/{name}_atrous.pth")


def load(path, name):
    model = BUILDERS[name][0]()
    model.load_state_dict(torch.load(path), strict=True)
    print(f"{path} loads into torchvision's {name}")


def shapes():
    model = torchvision.models.vgg16(num_classes=1000)
    print(json.dumps({key: list(value.shape) for key, value in model.state_dict().items()}))


if __name__ == "__main__":
    if sys.argv[1] == "--load":
        load(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "--shapes":
        shapes()
    else:
        main(sys.argv[1], sys.argv[2:])
