"""A Flower client mod that keeps a copy of everything a client sends (test only): the reply's records and the
exact bytes of every object Flower ships for it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np


def capture_mod(folder: Path):
    """A mod writing, per reply, `<client-index>-<round>.bin` (all serialized bytes), `.npz` (the arrays) and
    `.json` (the record kinds, the metrics and the client process's niceness)."""
    folder = Path(folder)

    def mod(message, context, call_next):
        from flwr.supercore.inflatable.inflatable_object import get_all_nested_objects

        reply = call_next(message, context)
        metrics = next(iter(reply.content.metric_records.values()))
        stem = f"{int(metrics['client-index'])}-{int(message.content['config']['server-round'])}"
        blob = b"".join(obj.deflate() for obj in get_all_nested_objects(reply).values())
        (folder / f"{stem}.bin").write_bytes(blob)
        arrays = next(iter(reply.content.array_records.values()))
        np.savez(folder / f"{stem}.npz", **{name: array.numpy() for name, array in arrays.items()})
        kinds = {key: type(record).__name__ for key, record in reply.content.items()}
        found = {"records": kinds, "metrics": dict(metrics), "niceness": os.nice(0)}
        (folder / f"{stem}.json").write_text(json.dumps(found))
        return reply

    return mod


def failing_mod(partition: int):
    """A mod under which the simulated client `partition` fails every round (as a site whose training breaks)."""

    def mod(message, context, call_next):
        if int(context.node_config["partition-id"]) == partition:
            raise RuntimeError("this site's disk is on fire")
        return call_next(message, context)

    return mod
