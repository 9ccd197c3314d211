"""A screenshot of the web page (``snn-mnist serve``) after it classified the example seven.

    python scripts/web_screenshot.py [--image digits/examples/seven.jpg] [--out results/web_page.png]

Serves the pretrained models on a free local port, opens the page in headless Chromium
(Selenium; needs ``chromium`` and ``chromedriver``), uploads the image with a rotation range of
-20..20 degrees and seed 0, waits for the answer and saves the whole page as a PNG.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from snn_mnist.atomic_files import atomic_path
from snn_mnist.web import headless
from snn_mnist.web.server import App, make_server
from snn_mnist.weights.pretrained import DEFAULT_MODEL
from snn_mnist.weights.pretrained import loaders as model_loaders

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, default=ROOT / "digits" / "examples" / "seven.jpg")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "web_page.png")
    args = parser.parse_args()
    try:
        session = headless.chromium("--window-size=1100,1000", "--hide-scrollbars")
    except headless.BrowserUnavailable as exc:
        sys.exit(f"web_screenshot.py: error: {exc}")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    httpd = make_server(App(model_loaders(None), backend="runtime", default=DEFAULT_MODEL), "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        session.get(f"http://127.0.0.1:{httpd.server_address[1]}/")
        wait = WebDriverWait(session, 600)
        wait.until(lambda d: d.find_element(By.ID, "model").get_attribute("value"))
        session.find_element(By.ID, "file").send_keys(str(args.image.resolve()))
        for field, value in (("rotate-min", "-20"), ("rotate-max", "20"), ("seed", "0")):
            element = session.find_element(By.ID, field)
            element.clear()
            element.send_keys(value)
        session.find_element(By.ID, "go").click()
        wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("done"))
        height = session.execute_script("return document.body.scrollHeight")
        session.set_window_size(1100, height + 40)
        with atomic_path(args.out) as tmp:
            tmp.write_bytes(session.get_screenshot_as_png())
    finally:
        session.quit()
        httpd.shutdown()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
