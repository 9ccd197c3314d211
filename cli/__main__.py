import sys

from snn_mnist.cli.main import main

sys.exit(main())
