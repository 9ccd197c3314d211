"""Your own digit: a PNG or JPEG of any size and mode, prepared the way MNIST digits were.

MNIST's digits are light strokes on a black field: each was scaled to fit a 20x20 box,
keeping its aspect ratio, with anti-aliasing, and placed in a 28x28 image so that its
centre of mass sits at the centre. :func:`prepare` does the same to a photo or a drawing:

1. grey levels in [0, 1] (:func:`read_image`: any mode; transparent pixels are laid on a
   background that contrasts with the opaque ones, so ink on a transparent canvas survives
   whatever its colour; phone photos are turned upright by their EXIF orientation; images
   larger than ``MAX_SIDE`` are scaled down first);
2. polarity: if the border of the image is light, the digit is dark ink on light paper and
   the image is inverted (``PreparedDigit.inverted`` says so);
3. contrast: the border's level becomes 0 and the brightest ink 1; levels below
   ``NOISE_FLOOR`` of that range, or within ``NOISE_SIGMAS`` standard deviations of the
   border's level (paper texture, JPEG noise, faint shadows), become 0; images of at least
   ``SMOOTH_MIN_SIDE`` pixels a side are first smoothed by a 1-pixel Gaussian, which averages
   pixel noise away long before the digit shrinks to 20 pixels;
4. rotation by ``angle_deg``, counter-clockwise as in ``scipy.ndimage.rotate``;
5. crop to the bounding box of the ink;
6. strokes much thinner than MNIST's (a fine pen on a large page) are thickened to MNIST's
   typical width relative to the digit's size; MNIST itself had no such step, its pens
   gave strokes of about 1/7 of the digit's height, and a hairline shrunk to 20x20 pixels
   would reach the network as a faint smear;
7. fit into 20x20 keeping the aspect ratio (Lanczos resampling, i.e. anti-aliased), the
   brightest pixel scaled to 255;
8. place in 28x28 with the centre of mass (intensity-weighted) at pixel (14, 14), where
   MNIST's test digits have theirs (mean 13.99, 14.00 over 2,000 of them), shifting by
   whole pixels as MNIST did.

Problems with the input raise :class:`ImageError` (a :class:`digits.mnist.DataError`) with
a one-line reason: a file that is missing, not an image, truncated, or without any ink.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

from .mnist import DataError

SIZE = 28  # side of the prepared image
BOX = 20  # side of the box the digit is fitted into
CENTRE = (14.0, 14.0)  # where MNIST digits have their centre of mass (row, column)
MAX_SIDE = 1024  # larger images are scaled down on reading: the digit ends up 20 pixels tall anyway
MAX_PIXELS = 4096 * 4096  # refused above this (after a JPEG's reduced decoding), before decoding
FORMATS = ("PNG", "JPEG")
MIN_CONTRAST = 0.1  # ink must differ from the paper by at least this fraction of the grey range
NOISE_FLOOR = 0.2  # fraction of the paper-to-ink range below which a pixel counts as paper ...
NOISE_SIGMAS = 5.0  # ... or this many standard deviations of the paper's grey level, if more
SMOOTH_MIN_SIDE = 56  # images this large (2x MNIST) are smoothed before anything else ...
SMOOTH_SIGMA = 1.0  # ... with a Gaussian of this many pixels
THIN_STROKE = 0.08  # strokes thinner than this fraction of the digit's size are thickened ...
TARGET_STROKE = 0.12  # ... to this fraction (MNIST's median is about 0.135, its 10th percentile 0.105)


class ImageError(DataError):
    """An image that cannot be read or holds no digit."""


@dataclass(frozen=True)
class PreparedDigit:
    """A digit ready for the network, and what was done to get it."""

    pixels: np.ndarray  # uint8 (28, 28), light digit on black, like MNIST
    inverted: bool  # the source was dark ink on light paper
    angle_deg: float  # rotation applied, counter-clockwise
    thickened: bool  # strokes were widened (see step 6)

    @property
    def flat(self) -> np.ndarray:
        """The pixels as one row of 784, the shape the networks take."""
        return self.pixels.reshape(-1)

    def describe(self) -> str:
        """How the image was read, in words."""
        parts = ["dark ink on light paper, inverted" if self.inverted else "light ink on dark ground"]
        if self.thickened:
            parts.append("thin strokes thickened")
        if self.angle_deg:
            sense = "counter-clockwise" if self.angle_deg > 0 else "clockwise"
            parts.append(f"rotated {abs(self.angle_deg):.1f} degrees {sense}")
        return "; ".join(parts)


def read_image(source: str | os.PathLike | bytes) -> np.ndarray:
    """Grey levels in [0, 1] (1 = white), float64 (height, width), of a PNG or JPEG file or its bytes."""
    import io

    name = "image" if isinstance(source, (bytes, bytearray)) else str(source)
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    if not isinstance(source, (bytes, bytearray)) and not Path(source).is_file():
        raise ImageError(f"image file not found: {source}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=FORMATS) as image:  # reads the size, decodes nothing yet
                image.draft("L", (MAX_SIDE, MAX_SIDE))  # JPEG only: decode at a reduced scale if large
                width, height = image.size
                if width * height > min(MAX_PIXELS, Image.MAX_IMAGE_PIXELS or MAX_PIXELS):
                    raise ImageError(f"{name}: too many pixels to be a photo of a digit ({width}x{height}; "
                                     f"at most {MAX_PIXELS / 1e6:.1f} million)")
                image = _shrunk(ImageOps.exif_transpose(image))
                grey = _grey(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{name}: too many pixels to be a photo of a digit") from None
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not a PNG or JPEG image") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or corrupt data
        raise ImageError(f"{name}: unreadable image ({exc})") from None
    if grey.size == 0:
        raise ImageError(f"{name}: the image has no pixels")
    return grey


def _shrunk(image: Image.Image) -> Image.Image:
    """``image`` at most ``MAX_SIDE`` pixels a side, scaled in its own 8- or 16-bit pixels (transparency
    premultiplied, as Pillow resizes), so that no full-size floating-point copy is ever made."""
    if max(image.size) <= MAX_SIDE:
        return image
    if image.mode in ("P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
    elif image.mode in ("1", "CMYK", "YCbCr", "LAB", "HSV"):
        image = image.convert("RGB")
    elif image.mode.startswith("I;16"):
        image = image.convert("I")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def _grey(image: Image.Image) -> np.ndarray:
    """Any PIL mode -> grey levels in [0, 1], transparency composited, at most MAX_SIDE pixels a side."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit PNG and friends: no "L" conversion
        values = np.asarray(image, dtype=np.float64)
        grey = values / (65535.0 if values.max(initial=0) > 255 else 255.0)
    elif image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float64) / 255.0
        luma = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma, as PIL's "L"
        grey = _composite(luma, rgba[..., 3])
    else:
        grey = np.asarray(image.convert("L"), dtype=np.float64) / 255.0
    grey = np.clip(grey, 0.0, 1.0)
    if max(grey.shape) > MAX_SIDE:
        scaled = Image.fromarray(grey.astype(np.float32), "F")
        scaled.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        grey = np.clip(np.asarray(scaled, dtype=np.float64), 0.0, 1.0)
    return grey


def _composite(luma: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Lay a transparent image on white if its opaque part is dark, else on black."""
    opacity = alpha.sum()
    if opacity == 0 or np.all(alpha == 1):
        return luma if opacity else np.ones_like(luma)
    background = 1.0 if (alpha * luma).sum() / opacity < 0.5 else 0.0
    return alpha * luma + (1 - alpha) * background


def _border(image: np.ndarray) -> np.ndarray:
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


def _stroke_width(mask: np.ndarray) -> float:
    """Mean width of the strokes in a binary image, in pixels.

    Inside a stroke of width w the distance to the nearest paper pixel runs 1, 2, ..., about
    w/2 and back, averaging about w/4 + 1/2; hence w = 4 * (mean distance - 1/2).
    """
    distance = ndimage.distance_transform_edt(mask)
    return max(0.0, 4.0 * (distance[mask].mean() - 0.5))


def _crop(ink: np.ndarray) -> np.ndarray:
    """The smallest rectangle holding every pixel with ink (above rounding noise)."""
    mask = ink > 1e-3
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def prepare(grey: np.ndarray, angle_deg: float = 0.0, *, thicken: bool = True) -> PreparedDigit:
    """The 28x28 MNIST-style digit of a grey image (values in [0, 1]); see the module's steps."""
    grey = np.asarray(grey, dtype=np.float64)
    if grey.ndim != 2 or grey.size == 0:
        raise ImageError(f"expected a 2-D grey image, got shape {grey.shape}")
    if not np.isfinite(angle_deg):
        raise ImageError(f"rotation angle must be a finite number of degrees, got {angle_deg}")

    if min(grey.shape) >= SMOOTH_MIN_SIDE:  # photo noise: average it away, far below the final resolution
        grey = ndimage.gaussian_filter(grey, SMOOTH_SIGMA)
    inverted = bool(np.median(_border(grey)) > 0.5)
    ink = 1.0 - grey if inverted else grey
    border = _border(ink)
    paper, peak = float(np.median(border)), float(ink.max())
    noise = 1.4826 * float(np.median(np.abs(border - paper)))  # the paper's standard deviation, robustly
    if peak - paper < max(MIN_CONTRAST, NOISE_SIGMAS * noise):
        raise ImageError("no digit found: the image is blank (no ink differs from the paper)")
    floor = paper + max(NOISE_FLOOR * (peak - paper), NOISE_SIGMAS * noise)
    ink = np.clip((ink - floor) / (peak - floor), 0.0, 1.0)
    if not ink.any():
        raise ImageError("no digit found: the image is blank (no ink differs from the paper)")
    ink = _crop(ink)

    if angle_deg % 360:
        ink = ndimage.rotate(ink, angle_deg, reshape=True, order=1, mode="constant", cval=0.0, prefilter=False)
        ink = _crop(np.clip(ink, 0.0, 1.0))

    thickened = False
    mask = ink > 0.5
    size = max(ink.shape)
    if thicken and mask.any() and size >= BOX:
        width = _stroke_width(mask)
        if width < THIN_STROKE * size:
            radius = (TARGET_STROKE * size - width) / 2
            grown = ndimage.distance_transform_edt(~mask) <= radius
            ink = _crop(np.maximum(ink, grown))
            thickened = True

    h, w = ink.shape
    scale = BOX / max(h, w)
    shape = (max(1, round(h * scale)), max(1, round(w * scale)))
    small = Image.fromarray(ink.astype(np.float32), "F").resize(shape[::-1], Image.Resampling.LANCZOS)
    small = np.clip(np.asarray(small, dtype=np.float64), 0.0, None)
    if small.max() <= 0:
        raise ImageError("no digit found: the ink vanishes at MNIST's resolution")
    small /= small.max()

    com_r, com_c = ndimage.center_of_mass(small)
    top = int(np.clip(round(CENTRE[0] - com_r), 0, SIZE - shape[0]))
    left = int(np.clip(round(CENTRE[1] - com_c), 0, SIZE - shape[1]))
    pixels = np.zeros((SIZE, SIZE), dtype=np.float64)
    pixels[top : top + shape[0], left : left + shape[1]] = small
    return PreparedDigit(
        pixels=np.round(pixels * 255).astype(np.uint8),
        inverted=inverted,
        angle_deg=float(angle_deg),
        thickened=thickened,
    )


def load(source: str | os.PathLike | bytes, angle_deg: float = 0.0, *, thicken: bool = True) -> PreparedDigit:
    """Read an image file (or its bytes) and prepare it like an MNIST digit."""
    return prepare(read_image(source), angle_deg, thicken=thicken)


def mnist_digit(pixels: np.ndarray) -> np.ndarray:
    """An MNIST image (784 or 28x28, uint8, light on black) as grey levels for :func:`prepare`.

    MNIST's digits are light on dark already; :func:`prepare` keeps them so (the border is
    dark) and redoes crop, fit and centring, which after a rotation moves the digit back
    into the 20x20 box and the centre of mass back to (14, 14).
    """
    return np.asarray(pixels, dtype=np.float64).reshape(SIZE, SIZE) / 255.0
