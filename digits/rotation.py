"""MNIST digits rotated as they are: about their centre of mass, in their own 28x28 frame.

The rotation study asks how a network trained on upright digits copes with tilted ones, so the
digit must change by the rotation only. A digit is resampled (bilinear) about its centre of mass,
which MNIST has put at about (14, 14); nothing is re-thresholded, stretched, re-cropped or rescaled
(user images go through ``user_image.prepare`` instead, which must do all of that). At 0 degrees
the digit is returned unchanged, so the study's 0-degree point is the plain test accuracy. Ink
rotated beyond the 28x28 frame is lost; :func:`rotate` reports how much.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

SIDE = 28


def rotate_one(pixels: np.ndarray, angle_deg: float) -> tuple[np.ndarray, float]:
    """One digit (784 or 28x28 uint8) rotated counter-clockwise by ``angle_deg`` (as ``scipy.ndimage.rotate``
    and PIL turn an image on screen); returns the 784 pixels and the fraction of the ink that left the frame."""
    image = np.asarray(pixels, dtype=np.float64).reshape(SIDE, SIDE)
    if not np.isfinite(angle_deg):
        raise ValueError(f"rotation angle must be a finite number of degrees, got {angle_deg}")
    if angle_deg % 360 == 0 or not image.any():
        return np.asarray(pixels, dtype=np.uint8).reshape(-1).copy(), 0.0
    centre = np.array(ndimage.center_of_mass(image))
    a = np.deg2rad(angle_deg)
    # output (row, col) -> input: rows point down, so a counter-clockwise turn on screen is this matrix
    to_input = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    offset = centre - to_input @ centre
    turned = ndimage.affine_transform(image, to_input, offset=offset, order=1, mode="constant", cval=0.0,
                                      prefilter=False)
    # the ink the rotation keeps: bilinear resampling preserves the total up to what leaves the frame
    padded = np.pad(image, SIDE)
    whole = ndimage.affine_transform(padded, to_input, offset=(centre + SIDE) - to_input @ (centre + SIDE), order=1,
                                     mode="constant", cval=0.0, prefilter=False)
    inside = whole[SIDE : 2 * SIDE, SIDE : 2 * SIDE].sum()
    lost = float(1.0 - inside / whole.sum()) if whole.sum() > 0 else 0.0
    return np.clip(np.rint(turned), 0, 255).astype(np.uint8).reshape(-1), max(0.0, lost)


def rotate(images: np.ndarray, angle_deg: float) -> tuple[np.ndarray, float]:
    """Every digit of ``images`` (n x 784 uint8) rotated by ``angle_deg``; returns them and the mean
    fraction of ink that left the frame."""
    turned = [rotate_one(image, angle_deg) for image in np.asarray(images)]
    return np.stack([t for t, _ in turned]), float(np.mean([lost for _, lost in turned]))
