"""Flower's deployment mode on loopback: the server side (SuperLink + `flwr run`) in this process's `federate`,
and each site as its own `tunesmith federate FED.yaml --client NAME` process running a SuperNode. Every process
the test starts is stopped, also when it fails."""

from __future__ import annotations

import socket
import subprocess
import sys

from tests.federate.conftest import write_fed
from tunesmith.federate import federate, load_fed_config
from tunesmith.federate.deployment import stop
from tunesmith.runs import open_run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_one_round_with_two_sites_as_separate_processes(fed_folder, tmp_path):
    link = free_port()
    deployment = {"listen": f"127.0.0.1:{link}"}
    path = write_fed(fed_folder, "deployed", mode="deployment", deployment=deployment)
    config = load_fed_config(path)
    sites = []
    try:
        for name in ("alpha", "beta"):
            command = [sys.executable, "-m", "tunesmith", "federate", str(path), "--client", name]
            log = (tmp_path / f"{name}.log").open("wb")
            sites.append(subprocess.Popen([*command, "--node-port", str(free_port())], stdout=log, stderr=log))
        result = federate(config)
    finally:
        for site in sites:
            stop(site)
    (record,) = result.rounds
    assert sorted(record.clients) == ["alpha", "beta"] and record.examples == 36 and result.mode == "deployment"
    assert record.bytes_up == record.bytes_down > 0
    assert open_run(record.run_dir).is_adapter()
    assert all(site.returncode is not None for site in sites)
    with socket.socket() as s:  # the SuperLink is gone: nothing listens on its port any more
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # closed connections may linger in TIME_WAIT
        s.bind(("127.0.0.1", link))
