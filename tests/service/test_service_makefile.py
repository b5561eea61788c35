"""`make run` prints the admin token a newcomer logs in with: it must be the token the server gets."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from service_testlib import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


def _make_run_dry(**env_extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANGAP_")}
    env.update(env_extra)
    # -n prints the recipes with every variable expanded, as `make run` would execute them, without running them
    return subprocess.run(["make", "-n", "-s", "run"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=True).stdout


def _printed_and_served(output: str) -> tuple[str, str]:
    printed = re.search(r"admin token \(Authorization: Bearer \.\.\.\): (\S+?)\"?$", output, re.M).group(1)
    served = re.search(r"PLANGAP_TOKEN=(\S+) .*-m service serve", output).group(1)
    return printed, served


def test_regression_make_run_token_printed_is_the_token_the_server_uses():
    printed, served = _printed_and_served(_make_run_dry())
    assert len(printed) >= 20 and printed == served


def test_regression_make_run_token_from_the_environment_is_kept():
    assert _printed_and_served(_make_run_dry(PLANGAP_TOKEN="ma-cua-toi-123")) == ("ma-cua-toi-123", "ma-cua-toi-123")


def test_make_run_writes_the_parents_wording_for_the_ui_before_serving():
    output = _make_run_dry()
    texts, serve = output.find("build_parents.py --texts-only"), output.find("-m service serve")
    assert 0 <= texts < serve
