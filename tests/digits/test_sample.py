"""The bundled sample: the first test digits of MNIST, shipped so the main job runs offline."""

import numpy as np

from snn_mnist.digits import mnist, sample


def test_sample_loads():
    images, labels = sample.load()
    assert images.shape == (300, 784) and images.dtype == np.uint8
    assert labels.shape == (300,) and set(labels.tolist()) == set(range(10))
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_sample_is_the_start_of_the_test_set(mnist_dir):
    images, labels = sample.load()
    test_images, test_labels = mnist.load("test", mnist_dir)
    np.testing.assert_array_equal(images, test_images[: len(images)])
    np.testing.assert_array_equal(labels, test_labels[: len(labels)])
