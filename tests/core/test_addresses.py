"""Web addresses: only http(s), and for what something will fetch, only public hosts in any
spelling (issue 13, finding 8)."""

from __future__ import annotations

import pytest

from peyvand.core.addresses import host_address, is_public_url, is_web_address


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "ftp://x.example",
    ],
)
def test_only_web_addresses(value):
    assert not is_web_address(value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/r.wav",
        "http://0177.0.0.1/r.wav",
        "http://2130706433/r.wav",
        "http://0x7f.1/r.wav",
        "http://127.1/r.wav",
        "http://[::1]/r.wav",
        "http://[::ffff:127.0.0.1]/r.wav",
        "http://10.0.0.5/r.wav",
        "http://192.168.1.1/r.wav",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8000/r.wav",
        "http://pbx.localhost/r.wav",
        "http://0.0.0.0/r.wav",
    ],
)
def test_loopback_private_and_link_local_hosts_are_refused(url):
    assert not is_public_url(url)


def test_public_hosts_pass():
    assert is_public_url("https://pbx.example.com/rec/1.wav")
    assert is_public_url("https://93.184.216.34/rec/1.wav")
    assert str(host_address("0177.0.0.1")) == "127.0.0.1"
