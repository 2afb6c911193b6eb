"""Named points where the fault suite can kill a build, to prove each step leaves a consistent mesh.

``MESH_FAULT_AT=<point>`` makes the process SIGKILL itself when it reaches that point: no
``finally`` runs, no lock is released by Python, exactly like a power cut or ``kill -9``. Unset
(always, outside the tests), a fault point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "MESH_FAULT_AT"

# The points of one domain's publish, in the order they are reached.
PUBLISH_POINTS = (
    "publish:candidate-written",  # public tables copied into a new publication folder
    "publish:audited",  # the candidate passed its audit, nothing registered yet
    "publish:registered",  # the registry entry names the new publication
    "publish:collected",  # older publications removed
)


def fault_point(name: str) -> None:
    """Die here, at once, if the fault suite asked for it."""
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
