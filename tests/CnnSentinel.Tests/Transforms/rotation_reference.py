#!/usr/bin/python3
"""Writes rotation_reference.json: expected outputs of a rotation with whole-sample reflect padding and
bilinear interpolation, computed with scipy.ndimage.rotate(reshape=False, order=1, mode='mirror').

scipy's 'mirror' (d c b | a b c d | c b a) is what the original CNN-Sentinel got from
skimage.transform.rotate(mode='reflect', order=1): skimage maps its 'reflect' onto scipy's 'mirror'.
Positive angles turn the picture counter-clockwise; the centre is ((H-1)/2, (W-1)/2).

Run with Debian's python3-scipy: /usr/bin/python3 rotation_reference.py (from this folder).
"""
import json

import numpy as np
import scipy.ndimage as ndimage

rng = np.random.default_rng(7)
image = rng.uniform(0, 100, size=(2, 9, 7)).round(3)  # [C, H, W], not square on purpose
angles = [-45.0, -17.3, 30.0, 45.0, 90.0]
cases = []
for angle in angles:
    rotated = np.stack([ndimage.rotate(band, angle, reshape=False, order=1, mode="mirror") for band in image])
    cases.append({"degrees": angle, "expected": rotated.round(6).tolist()})
with open("rotation_reference.json", "w") as f:
    json.dump({"image": image.tolist(), "cases": cases, "generator": "scipy.ndimage.rotate(reshape=False, order=1, mode='mirror')"}, f)
