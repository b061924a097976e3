"""apl-policy's Python bridge: typed decisions from the APL policy served by OPA.

The library half of the project (STYLE.md, "library first, thin CLI"): the client, the
typed models, the errors, the input loading and the local OPA server manager live here;
`bridge.cli` only parses arguments, calls these and renders.
"""

from bridge.errors import BridgeError, EvaluationError, InputError, InvalidActivity, OpaUnavailable
from bridge.exit_codes import ExitCode
from bridge.server import LocalOpa, find_opa, project_bundle

__all__ = [
    "BridgeError",
    "EvaluationError",
    "ExitCode",
    "InputError",
    "InvalidActivity",
    "LocalOpa",
    "OpaUnavailable",
    "find_opa",
    "project_bundle",
]
