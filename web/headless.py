"""Headless Chromium driven by Selenium, for the page's browser test and its screenshot script.

Neither the page nor ``snn-mnist serve`` needs this: it is for looking at the page from code.
"""

from __future__ import annotations

import shutil

#: As root, in a sandbox with no outside network: without the background-networking flags
#: Chromium keeps trying to reach Google's hosts.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


class BrowserUnavailable(RuntimeError):
    """Selenium, Chromium or chromedriver is missing; the message says which and how to install it."""


def chromium(*extra_flags: str):
    """A new headless Chromium session (``selenium.webdriver.Chrome``); the caller quits it."""
    try:
        from selenium import webdriver
    except ImportError:
        raise BrowserUnavailable("selenium is not installed (pip install selenium)") from None
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        raise BrowserUnavailable("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*FLAGS, *extra_flags):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))
