"""A job that dies says why in its own log file."""

import subprocess
import sys


def test_uncaught_error_lands_in_the_rule_log(tmp_path):
    log = tmp_path / "rule.log"
    code = f"from vitrify.logs import setup_logging; setup_logging({str(log)!r}); raise ValueError('guard tripped')"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 1
    text = log.read_text()
    assert "ValueError: guard tripped" in text and "Traceback" in text
