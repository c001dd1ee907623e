"""The Flower App components for deployment mode (`serverapp`/`clientapp` in the generated app's pyproject).

Flower's SuperLink starts the ServerApp, and each site's SuperNode the ClientApp, in their own processes; both
read the FED.yaml from their own disk: the server's path comes in the run config (`fed-config`), each site's path
and client name in its SuperNode's node config (`fed-config`, `client`), so a site's data path is never sent.
"""

from __future__ import annotations

from pathlib import Path

from flwr.serverapp import ServerApp

from tunesmith.federate.client import Site
from tunesmith.federate.client import client_app as make_client_app
from tunesmith.federate.config import load_fed_config

server_app = ServerApp()


@server_app.main()
def _server_main(grid, context) -> None:
    """Continue the federation that `tunesmith federate --mode deployment` prepared in its folder."""
    from tunesmith.federate.server import ServerPlan, serve_rounds
    from tunesmith.federate.summary import load_result

    config = load_fed_config(str(context.run_config["fed-config"]))
    result = load_result(config.folder)
    if result is None:
        raise RuntimeError(f"{config.folder} holds no federation.json: start the run with `tunesmith federate`")
    start = Path(result.last_run_dir or config.folder / "round-0")
    plan = ServerPlan(config, result, start=start, done=len(result.rounds))
    serve_rounds(grid, plan, [c.name for c in config.clients], config.needed)


def site_of(context) -> Site:
    """This SuperNode's site: the FED.yaml and client name its node config names."""
    config = load_fed_config(str(context.node_config["fed-config"]))
    name = str(context.node_config["client"])
    return Site(config, next(c for c in config.clients if c.name == name))


client_app = make_client_app(site_of)
