"""Local AWS emulator: moto 5.2.1 in server mode, over HTTPS, corrected toward real AWS behaviour.

Client side (this module) stays light: importing it does not import moto. The server side
(`local_emulator.server`, `local_emulator.corrections`) checks the pinned moto version at import.
"""

from local_emulator.constants import ACCOUNT_ID, DEFAULT_PORT, REGION, default_port, default_state_dir
from local_emulator.env import client_env, http_endpoint, https_endpoint

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_PORT",
    "REGION",
    "client_env",
    "default_port",
    "default_state_dir",
    "http_endpoint",
    "https_endpoint",
]
