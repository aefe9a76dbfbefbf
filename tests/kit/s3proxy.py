"""A real S3 API server for tests: S3Proxy (fetched by deploy/s3proxy/fetch.sh, which
deploy/local/test-infra.sh runs) over a temporary directory, on a free port, with fixed test
credentials checked by AWS signature v2 or v4 as S3 checks them."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.settings import PROJECT_ROOT

S3PROXY_JAR = PROJECT_ROOT / ".local" / "s3proxy" / "s3proxy-2.6.0.jar"
ACCESS_KEY_ID = "redress-test-access-key"
SECRET_ACCESS_KEY = "redress-test-secret-key"  # the local test server's own
# The JVM starts S3Proxy in about 6 s on this 2-core machine; a minute covers a loaded one.
START_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key_id: str = ACCESS_KEY_ID
    secret_access_key: str = SECRET_ACCESS_KEY
    region: str = "eu-west-2"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # 403 without credentials: it is up and checking signatures
    except OSError:
        return False


def _properties(port: int, data: Path) -> str:
    return "\n".join(
        [
            f"s3proxy.endpoint=http://127.0.0.1:{port}",
            "s3proxy.authorization=aws-v2-or-v4",
            f"s3proxy.identity={ACCESS_KEY_ID}",
            f"s3proxy.credential={SECRET_ACCESS_KEY}",
            "jclouds.provider=filesystem",
            f"jclouds.filesystem.basedir={data}",
            "",
        ]
    )


@contextlib.contextmanager
def running_s3proxy() -> Iterator[S3Server]:
    if not S3PROXY_JAR.is_file():
        raise RuntimeError(
            f"{S3PROXY_JAR} is missing: run deploy/s3proxy/fetch.sh (make test does)"
        )
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("S3Proxy needs a JDK 17+ on PATH")
    with tempfile.TemporaryDirectory(prefix="redress-s3proxy-") as temporary:
        root = Path(temporary)
        (root / "data").mkdir()
        port = _free_port()
        properties = root / "s3proxy.conf"
        properties.write_text(_properties(port, root / "data"))
        log = (root / "s3proxy.log").open("wb")
        # A small heap and the client compiler: S3Proxy is idle between a few small requests.
        command = [java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", str(S3PROXY_JAR)]
        process = subprocess.Popen(
            [*command, "--properties", str(properties)], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = (root / "s3proxy.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"S3Proxy did not start:\n{tail}")
                time.sleep(0.2)
            yield S3Server(endpoint_url=url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
