"""The base of every recipe section: strict (unknown keys are errors), and each key's docstring is its description.

The docstring under a key is what the JSON schema, the UI's form and the docs show for it (pydantic's
`use_attribute_docstrings`), so a key is documented once, beside its type and default.
"""

from __future__ import annotations

from pydantic import ConfigDict

from tunesmith.schema import Strict


class Section(Strict):
    """A strict settings section whose keys are described by the docstring written under each."""

    model_config = ConfigDict(use_attribute_docstrings=True)
