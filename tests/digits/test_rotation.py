"""MNIST digits rotated in place: unchanged at 0 degrees, turned like scipy and PIL turn images, ink kept."""

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from snn_mnist.digits import sample
from snn_mnist.digits.rotation import rotate, rotate_one


def test_zero_degrees_and_full_turns_leave_the_digits_as_they_are():
    images = sample.load()[0][:50]
    for angle in (0, 360, -720):
        turned, lost = rotate(images, angle)
        np.testing.assert_array_equal(turned, images)
        assert lost == 0


def test_turns_counter_clockwise_as_scipy_and_pil_do():
    """A shape whose centre of mass is the frame's centre: the same pixels as scipy's and PIL's rotation."""
    image = np.zeros((28, 28))
    image[4:10, 13:15] = image[18:24, 13:15] = 200
    image[4:6, 15:20] = image[22:24, 8:13] = 200  # point-symmetric about (13.5, 13.5), not mirror-symmetric
    for angle in (30, -45, 90):
        turned, _ = rotate_one(image.astype(np.uint8), angle)
        scipy_turned = np.rint(ndimage.rotate(image, angle, reshape=False, order=1, prefilter=False))
        np.testing.assert_array_equal(turned.reshape(28, 28), scipy_turned)
    pil = np.asarray(Image.fromarray(image.astype(np.uint8)).rotate(90))
    np.testing.assert_array_equal(rotate_one(image.astype(np.uint8), 90)[0].reshape(28, 28) > 100, pil > 100)


def test_rotation_keeps_the_centre_of_mass_and_the_ink():
    images = sample.load()[0][:20]
    for image in images:
        turned, lost = rotate_one(image, 37)
        before = np.array(ndimage.center_of_mass(image.reshape(28, 28).astype(float)))
        after = np.array(ndimage.center_of_mass(turned.reshape(28, 28).astype(float)))
        assert np.abs(before - after).max() < 0.3
        assert turned.sum() == pytest.approx(image.sum() * (1 - lost), rel=0.03)
        assert 0 <= lost < 0.02


def test_refuses_an_angle_that_is_not_a_number():
    with pytest.raises(ValueError, match="finite"):
        rotate_one(sample.load()[0][0], float("nan"))
