"""A minimal Streamlit client over the app's own websocket protocol (its protobuf messages ship with the streamlit
package), for the load benchmark and the upload tests: open a session on a page with a query string and wait for
the script to finish. Loopback only; every wait is bounded.
"""

import asyncio
import time
from dataclasses import dataclass

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect

RUN_TIMEOUT = 120.0  # seconds one script run may take before it counts as a failure


@dataclass
class SessionRun:
    """One session's first run: its id, seconds from sending the rerun to script_finished, and what it showed."""

    connection: ClientConnection
    session_id: str
    seconds: float
    deltas: int
    exception: bool


def stream_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"


async def run_page(base_url: str, page: str, query: str, timeout: float = RUN_TIMEOUT) -> SessionRun:
    """Open a session, run `page` (its url path) with `query`, return when the script has finished."""
    if not base_url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("loopback only")
    connection = await connect(stream_url(base_url), subprotocols=["streamlit"], max_size=None, open_timeout=timeout)
    message = BackMsg()
    message.rerun_script.query_string = query
    message.rerun_script.page_name = page
    started = time.perf_counter()
    await connection.send(message.SerializeToString())
    session_id, deltas, exception = "", 0, False
    deadline = started + timeout
    while True:
        raw = await asyncio.wait_for(connection.recv(), max(0.01, deadline - time.perf_counter()))
        forward = ForwardMsg()
        forward.ParseFromString(raw)
        kind = forward.WhichOneof("type")
        if kind == "new_session":
            session_id = forward.new_session.initialize.session_id
        elif kind == "delta":
            deltas += 1
            exception |= forward.delta.new_element.WhichOneof("type") == "exception"
        elif kind == "script_finished":
            return SessionRun(connection, session_id, time.perf_counter() - started, deltas, exception)
