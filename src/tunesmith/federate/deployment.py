"""Flower's deployment mode: a SuperLink at the server, a SuperNode at every site, and the run submitted with
`flwr run` — Flower's own processes and commands, started here with the settings a FED.yaml implies.

The server side (`tunesmith federate FED.yaml --mode deployment`) writes a tiny Flower App (a pyproject naming
tunesmith's ServerApp and ClientApp), starts `flower-superlink`, submits the app with `flwr run` and waits for the
rounds; each site runs `tunesmith federate FED.yaml --client NAME --superlink HOST:PORT`, which is
`flower-supernode` with the site's FED.yaml and client name as its node config.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.federate.config import FedConfig, load_fed_config
from tunesmith.federate.server import FederationError, ServerPlan
from tunesmith.federate.sites import check_client
from tunesmith.federate.summary import load_result

APP = """[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "tunesmith-federation"
version = "1.0.0"
description = "tunesmith federated fine-tuning (the components live in the installed tunesmith package)"
license = "Apache-2.0"
dependencies = []

[tool.flwr.app]
publisher = "tunesmith"

[tool.flwr.app.components]
serverapp = "tunesmith.federate.apps:server_app"
clientapp = "tunesmith.federate.apps:client_app"

[tool.flwr.app.config]
fed-config = "{fed_config}"
"""


def local_address(listen: str) -> str:
    """The address this machine reaches a SuperLink listening on `listen` at."""
    host, port = listen.rsplit(":", 1)
    return f"{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"


def flower_bin(name: str) -> str:
    """A Flower command installed beside this Python (the venv's bin), else found on PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def flower_env(**extra: str) -> dict[str, str]:
    """The environment for Flower's processes: this venv's bin first on PATH (they start `flwr-serverapp` and
    `flwr-clientapp` from it) and Flower's usage reporting off."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, "FLWR_TELEMETRY_ENABLED": "0", **extra}


def check_saved(config: FedConfig) -> None:
    """In deployment the ServerApp and the sites read the FED.yaml file: refuse settings changed only in memory."""
    on_disk = load_fed_config(config.source).model_dump(exclude={"mode", "simulation"})
    if on_disk != config.model_dump(exclude={"mode", "simulation"}):
        raise InputError(
            config.source,
            "deployment mode reads this file at the server and at every site: save the "
            "settings to it (they differ from the ones given in Python)",
        )


def write_app(config: FedConfig, fed_config: Path) -> Path:
    """The Flower App folder `flwr run` builds and submits (inside the federation folder)."""
    app = config.folder / ".flower-app"
    app.mkdir(parents=True, exist_ok=True)
    (app / "pyproject.toml").write_text(APP.replace("{fed_config}", str(fed_config.absolute())), encoding="utf-8")
    return app


def flower_home(config: FedConfig) -> Path:
    """A Flower home folder whose config.toml names this SuperLink, so `flwr run` finds it (FLWR_HOME)."""
    home = config.folder / ".flower-home"
    home.mkdir(parents=True, exist_ok=True)
    address = local_address(config.deployment.listen)
    text = f'[superlink]\ndefault = "tunesmith"\n\n[superlink.tunesmith]\naddress = "{address}"\ninsecure = true\n'
    (home / "config.toml").write_text(text, encoding="utf-8")
    return home


def superlink_command(config: FedConfig) -> list[str]:
    """`flower-superlink` for this federation (plain HTTP: use TLS for real sites; see docs/federated.md)."""
    host, port = config.deployment.listen.rsplit(":", 1)
    return [
        flower_bin("flower-superlink"),
        "--insecure",
        "--host",
        host,
        "--port",
        port,
        "--database",
        str(config.folder / ".flower-home" / "superlink.db"),
    ]


def supernode_command(fed_config: Path, client: str, superlink: str, port: int = 9094) -> list[str]:
    """`flower-supernode` for one site: its FED.yaml and client name go in the node config, read by the ClientApp."""
    node_config = f"fed-config='{Path(fed_config).absolute()}' client='{client}'"
    return [
        flower_bin("flower-supernode"),
        "--insecure",
        "--superlink",
        superlink,
        "--node-config",
        node_config,
        "--port",
        str(port),
    ]


def run_deployed(plan: ServerPlan) -> None:
    """Start the SuperLink, submit the app, wait until every round is written (or the run fails), stop it."""
    config = plan.config
    env = flower_env(FLWR_HOME=str(flower_home(config)))
    log = (config.folder / "superlink.log").open("ab")
    link = subprocess.Popen(superlink_command(config), stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        app = write_app(config, Path(config.source))
        submit = [flower_bin("flwr"), "run", str(app), "tunesmith", "--stream"]
        listen = config.deployment.listen
        plan.progress.note(f"SuperLink listening on {listen}; waiting for {config.needed} sites to connect")
        deadline = time.monotonic() + config.round_timeout * (config.rounds + 1)
        wait_for_port(local_address(listen), link, deadline)
        try:
            done = subprocess.run(submit, env=env, stdout=log, stderr=log, timeout=deadline - time.monotonic())
        except subprocess.TimeoutExpired:
            raise FederationError(f"the rounds did not finish in time; see {config.folder}/superlink.log") from None
        if done.returncode != 0:  # --stream: it returns once the run has ended
            raise FederationError(f"`flwr run` failed (exit {done.returncode}); see {config.folder}/superlink.log")
        _check_finished(plan)
    finally:
        stop(link)
        log.close()
    plan.result = load_result(config.folder) or plan.result


def wait_for_port(address: str, process: subprocess.Popen, deadline: float) -> None:
    """Until something listens on `address` (host:port); FederationError if `process` exits or time runs out."""
    host, port = address.rsplit(":", 1)
    while True:
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise FederationError(f"{Path(process.args[0]).name} exited ({process.returncode})") from None
            if time.monotonic() > deadline:
                raise FederationError(f"nothing listens on {address}") from None
            time.sleep(0.5)


def _check_finished(plan: ServerPlan) -> None:
    """FederationError unless federation.json lists every round (the ServerApp failed: its log says why)."""
    config = plan.config
    result = load_result(config.folder)
    done = len(result.rounds) if result else 0
    if done < config.rounds:
        raise FederationError(
            f"the run ended after {done} of {config.rounds} rounds; see {config.folder}/superlink.log"
        )


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a process this module started: SIGTERM, then SIGKILL after `grace` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_site(config: FedConfig, client: str, superlink: str | None = None, node_port: int | None = None) -> int:
    """Serve one site: check its data, then run its SuperNode in the foreground until it exits or this process is
    stopped (Ctrl-C or SIGTERM, which stop the SuperNode too); returns the SuperNode's exit status."""
    found = [c for c in config.clients if c.name == client]
    if not found:
        names = ", ".join(c.name for c in config.clients)
        raise InputError(f"{config.source}: key 'clients'", f"no client named '{client}'; listed: {names}")
    check_client(config, found[0])
    address = superlink or config.deployment.superlink or local_address(config.deployment.listen)
    port = node_port or config.deployment.node_port
    node = subprocess.Popen(supernode_command(Path(config.source), client, address, port), env=flower_env())
    previous = signal.signal(signal.SIGTERM, _exit_on_term)  # so `finally` below stops the SuperNode
    try:
        return node.wait()
    finally:
        stop(node)
        signal.signal(signal.SIGTERM, previous)


def _exit_on_term(signum, frame) -> None:
    raise SystemExit(128 + signum)
