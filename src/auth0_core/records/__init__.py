"""The state kept between steps, as frozen attrs records (docs/architecture.md).

Each record is checked once, in ``from_dict``, when it is read from a store, and ``to_dict``
writes the JSON shape the stores hold (the official SDK's, for the session). Flows work on
the records; stores and the public API see plain dicts, as before.
"""

from ._wire import FORMAT_VERSION, VERSION_KEY, from_stored
from .connect_transaction import ConnectTransaction
from .session import Session, SessionInternal
from .token_set import ConnectionTokenSet, TokenSet
from .transaction import FlowName, Transaction

__all__ = [
    "FORMAT_VERSION",
    "VERSION_KEY",
    "ConnectTransaction",
    "ConnectionTokenSet",
    "FlowName",
    "Session",
    "SessionInternal",
    "TokenSet",
    "Transaction",
    "from_stored",
]
