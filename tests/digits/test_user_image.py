"""Your own digit: any PNG/JPEG becomes a 28x28 digit prepared the way MNIST's were."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from snn_mnist.digits import user_image
from snn_mnist.digits.mnist import DataError
from snn_mnist.digits.user_image import ImageError

SEVEN = [(0.2, 0.15), (0.8, 0.15), (0.42, 0.9)]  # a "7" as a polyline, in fractions of the canvas


def draw(size=(300, 400), stroke=0.07, ink=0, paper=255, mode="L", shape=SEVEN) -> Image.Image:
    """A digit drawn with a pen ``stroke`` (fraction of the canvas height) wide."""
    w, h = size
    image = Image.new(mode, size, paper)
    ImageDraw.Draw(image).line([(x * w, y * h) for x, y in shape], fill=ink, width=max(1, round(stroke * h)),
                               joint="curve")
    return image


def png(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=options.pop("format", "PNG"), **options)
    return buffer.getvalue()


def similar(a: np.ndarray, b: np.ndarray, shift: int = 1) -> float:
    """Best correlation of two 28x28 images over shifts of up to ``shift`` pixels."""
    a, b = a.astype(float), b.astype(float)
    return max(np.corrcoef(a.ravel(), np.roll(b, (dy, dx), axis=(0, 1)).ravel())[0, 1]
               for dy in range(-shift, shift + 1) for dx in range(-shift, shift + 1))


def ink_box(pixels: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(pixels.any(axis=1))[0], np.nonzero(pixels.any(axis=0))[0]
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """Black ink on white paper, grey-scale: the plain case the others are compared with."""
    return user_image.load(png(draw())).pixels


def test_prepared_like_mnist(reference):
    assert reference.shape == (28, 28) and reference.dtype == np.uint8
    assert reference.max() == 255 and reference[0].max() == 0 and reference[:, 0].max() == 0
    assert max(ink_box(reference)) == 20  # fitted into the 20x20 box
    com = ndimage.center_of_mass(reference.astype(float))
    assert abs(com[0] - 14) <= 0.5 and abs(com[1] - 14) <= 0.5  # centred by mass, in whole pixels


def test_dark_on_light_and_light_on_dark_give_the_same_digit(reference):
    dark_on_light = user_image.load(png(draw()))
    light_on_dark = user_image.load(png(draw(ink=255, paper=0)))
    assert dark_on_light.inverted and not light_on_dark.inverted
    np.testing.assert_array_equal(dark_on_light.pixels, light_on_dark.pixels)


@pytest.mark.parametrize("ink", [(0, 0, 0, 255), (255, 255, 255, 255), (20, 40, 200, 255)])
def test_rgba_ink_on_a_transparent_canvas(reference, ink):
    """Ink of any colour on a fully transparent canvas, as drawing programs export it."""
    image = draw(mode="RGBA", ink=ink, paper=(0, 0, 0, 0))
    prepared = user_image.load(png(image))
    assert similar(prepared.pixels, reference) > 0.97


def test_rgb_palette_and_16_bit_images(reference):
    rgb = draw(mode="RGB", ink=(30, 30, 120), paper=(250, 245, 230))  # blue ink on cream paper
    palette = draw().convert("P")
    sixteen = Image.fromarray(np.asarray(draw(), dtype=np.uint16) * 257)  # mode I;16
    for image in (rgb, palette, sixteen):
        assert similar(user_image.load(png(image)).pixels, reference) > 0.97, image.mode


def test_jpeg_with_paper_noise(reference):
    """A noisy grey page saved as a lossy JPEG reads as the same digit: the noise floor removes the paper."""
    rng = np.random.default_rng(0)
    page = np.asarray(draw(ink=60, paper=200), dtype=float) + rng.normal(0, 12, (400, 300))
    image = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))
    prepared = user_image.load(png(image, format="JPEG", quality=70))
    assert prepared.inverted
    assert similar(prepared.pixels, reference) > 0.95


def test_exif_orientation_is_applied(reference):
    """A phone photo stored sideways with an EXIF orientation tag is read upright."""
    sideways = draw().rotate(90, expand=True)  # stored turned counter-clockwise ...
    exif = Image.Exif()
    exif[0x0112] = 6  # ... and tagged "rotate 90 degrees clockwise to display"
    prepared = user_image.load(png(sideways, format="JPEG", quality=95, exif=exif.tobytes()))
    assert similar(prepared.pixels, reference) > 0.97


def test_aspect_ratio_is_kept():
    bar = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(bar).rectangle([90, 20, 109, 179], fill=0)  # 20 wide, 160 tall: 1 to 8
    height, width = ink_box(user_image.load(png(bar)).pixels)
    assert height == 20 and 2 <= width <= 4


def test_tiny_image():
    tiny = draw(size=(9, 12), stroke=0.2)
    prepared = user_image.load(png(tiny))
    assert max(ink_box(prepared.pixels)) == 20 and prepared.pixels.max() == 255


def test_huge_image(reference):
    huge = draw(size=(2400, 3200))
    assert similar(user_image.load(png(huge)).pixels, reference) > 0.97


def test_rotation_is_counter_clockwise(reference):
    turned = user_image.load(png(draw()), angle_deg=90).pixels
    assert similar(turned, np.rot90(reference), shift=1) > 0.95  # np.rot90 turns counter-clockwise
    assert similar(turned, np.rot90(reference, -1), shift=1) < 0.7


def test_rotation_keeps_the_digit_whole_and_centred():
    prepared = user_image.load(png(draw()), angle_deg=45)
    assert max(ink_box(prepared.pixels)) == 20 and prepared.angle_deg == 45
    com = ndimage.center_of_mass(prepared.pixels.astype(float))
    assert abs(com[0] - 14) <= 0.5 and abs(com[1] - 14) <= 0.5


def test_hairline_strokes_are_thickened_to_mnist_weight(sample_digits):
    """A 2-pixel pen on a 600x800 page would reach the network as a faint trace."""
    hairline = png(draw(size=(600, 800), stroke=0.0025))
    thick = user_image.load(hairline)
    thin = user_image.load(hairline, thicken=False)
    mnist_ink = sample_digits[0].astype(float).sum(axis=1) / 255
    ink = thick.pixels.astype(float).sum() / 255
    assert thick.thickened and not thin.thickened
    assert np.percentile(mnist_ink, 10) <= ink <= np.percentile(mnist_ink, 90)
    assert thin.pixels.astype(float).sum() / 255 < np.percentile(mnist_ink, 5)
    assert not user_image.load(png(draw())).thickened  # a normal pen is left alone


def test_mnist_digits_come_back_nearly_unchanged(sample_digits):
    """MNIST's own digits are prepared already: re-preparing moves them by a pixel at most."""
    images = sample_digits[0][:100]
    scores = [similar(user_image.prepare(user_image.mnist_digit(x)).pixels, x.reshape(28, 28)) for x in images]
    assert np.min(scores) > 0.9 and np.mean(scores) > 0.97
    assert not any(user_image.prepare(user_image.mnist_digit(x)).inverted for x in images)


@pytest.mark.parametrize("paper", [255, 0, 128])
def test_blank_image_is_refused(paper):
    with pytest.raises(ImageError, match="no digit found"):
        user_image.load(png(Image.new("L", (64, 64), paper)))


def test_faint_smudge_is_refused():
    image = Image.new("L", (64, 64), 250)
    ImageDraw.Draw(image).ellipse([20, 20, 40, 40], fill=245)  # 2% darker than the paper
    with pytest.raises(ImageError, match="no digit found"):
        user_image.load(png(image))


def test_unreadable_files_are_refused(tmp_path):
    good = png(draw())
    cases = {
        "random.png": np.random.default_rng(0).bytes(2000),
        "truncated.png": good[: len(good) // 2],
        "text.png": b"this is not an image\n",
        "empty.png": b"",
        "picture.gif": png(draw(), format="GIF"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ImageError) as error:
            user_image.load(tmp_path / name)
        assert str(tmp_path / name) in str(error.value) and "\n" not in str(error.value), name
    with pytest.raises(ImageError, match="not found"):
        user_image.load(tmp_path / "missing.png")
    assert issubclass(ImageError, DataError)  # the CLI reports it in one line


def test_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100)
    with pytest.raises(ImageError, match="too many pixels"):
        user_image.load(png(Image.new("L", (150, 150), 255)))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels (its data is one pixel's): what a
    decompression bomb looks like before it is decoded."""
    data = bytearray(png(Image.new("RGBA", (1, 1))))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_a_huge_image_is_refused_before_it_is_decoded(monkeypatch):
    def no_decoding(self, *args):
        raise AssertionError("decoded")

    bomb = png_claiming(9000, 9000)
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with pytest.raises(ImageError, match=r"too many pixels .*\(9000x9000; at most 16.8 million\)"):
        user_image.load(bomb)


def test_a_large_image_is_scaled_down_before_any_floating_point_copy():
    """A 4000 x 4000 RGBA PNG (16 million pixels, in the limit): prepared in a fresh process whose
    memory grows by far less than the 512 MB one float64 RGBA copy of it would take."""
    script = textwrap.dedent("""
        import io, resource, sys
        from PIL import Image, ImageDraw
        from snn_mnist.digits import user_image
        image = Image.new("RGBA", (4000, 4000), (255, 255, 255, 0))
        ImageDraw.Draw(image).line([(1000, 600), (3000, 600), (1600, 3400)], fill=(0, 0, 0, 255), width=360)
        buffer = io.BytesIO(); image.save(buffer, format="PNG", compress_level=1); del image
        data = buffer.getvalue(); del buffer
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        digit = user_image.load(data)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(grown // 1024, int(digit.pixels.max()))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    grown_mb, brightest = int(out[0]), int(out[1])
    assert brightest == 255  # a digit was found
    assert grown_mb < 200, f"preparing the image took {grown_mb} MB more"


def test_bad_angle_is_refused():
    with pytest.raises(ImageError, match="finite"):
        user_image.load(png(draw()), angle_deg=float("nan"))
