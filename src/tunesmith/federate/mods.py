"""Flower client mods: the DP clipping every client's reply passes through before it leaves the site."""

from __future__ import annotations

from collections.abc import Callable


def clipping_mod(site_of: Callable):
    """A mod that, where the site's own FED.yaml asks for client-side DP, clips the reply with Flower's
    `fixedclipping_mod`, and refuses to answer a server that sends no clipping norm or a larger one than the
    site agreed to (the site, not the server, decides how much of its update leaves)."""

    def mod(message, context, call_next):
        dp = site_of(context).config.dp
        if dp is None or dp.side != "client":
            return call_next(message, context)
        from flwr.clientapp.mod import fixedclipping_mod

        norm = message.content["config"].get("clipping_norm")  # Flower's KEY_CLIPPING_NORM
        if norm is None or float(norm) > dp.clipping_norm:
            raise ValueError(f"the server asked for clipping norm {norm}; this site clips to {dp.clipping_norm}")
        return fixedclipping_mod(message, context, call_next)

    return mod
