"""gunicorn with the production settings on loopback, for the benchmarks that load a real server: the
same launcher as the tests' (tests/servers.py)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the benchmarks run as scripts: the repository is not on the path

from tests.servers import HOST, HangingProxy, free_port, production_server  # noqa: E402

__all__ = ["HOST", "HangingProxy", "free_port", "production_server"]
