"""A three-broker Kafka cluster (KRaft) from the Maven-fetched jars, for `make cluster` and tests.

Each node is a combined broker and controller (deploy/kafka/cluster.properties.template), on
127.0.0.1 with two ports of its own from `base_port`: node n (1-3) listens for clients on
base_port + 2(n-1) and for the controller quorum on the next port. Topics are created with three
replicas and `min.insync.replicas=2` (deploy/local/topics.py), so any one broker can be killed
without losing an acknowledged record or stopping the suite.

    python -m deploy.local.cluster [--base-port 29092] [--dir .local/kafka-cluster]

starts the cluster in the foreground and creates the topics; Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from deploy.local.topics import ensure_topics

REPOSITORY = Path(__file__).resolve().parents[2]
KAFKA = REPOSITORY / "deploy" / "kafka"
LIBS = REPOSITORY / ".local" / "kafka" / "libs"
NODES = 3
# Three copies, two of which must take a write (the template's reasoning).
REPLICATION_FACTOR = 3
MIN_INSYNC_REPLICAS = 2
# Heap per broker: three brokers and ten services share a 2-core, 24 GiB machine; 512 MiB is
# what deploy/kafka/start.sh gives the single broker.
HEAP = "512m"
# The JVM flags kafka-run-class.sh sets (docs/reference/stack-notes.md §1.3), as start.sh.
JAVA_FLAGS = (
    f"-Xms{HEAP}",
    f"-Xmx{HEAP}",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
    f"-Dlog4j2.configurationFile=file:{KAFKA / 'log4j2.properties'}",
)
# Cold start of three JVMs and their quorum election on a 2-core machine.
START_TIMEOUT_SECONDS = 120.0


@dataclass
class KafkaCluster:
    root: Path
    base_port: int = 29092
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    def port(self, node: int) -> int:
        return self.base_port + 2 * (node - 1)

    def controller_port(self, node: int) -> int:
        return self.port(node) + 1

    @property
    def bootstrap(self) -> str:
        return ",".join(f"localhost:{self.port(n)}" for n in range(1, NODES + 1))

    @property
    def nodes(self) -> range:
        return range(1, NODES + 1)

    def config_file(self, node: int) -> Path:
        return self.root / f"node-{node}.properties"

    def configure(self) -> None:
        """Writes every node's configuration and formats its storage with one cluster id."""
        subprocess.run([str(KAFKA / "fetch.sh")], check=True)
        self.root.mkdir(parents=True, exist_ok=True)
        voters = ",".join(f"{n}@127.0.0.1:{self.controller_port(n)}" for n in self.nodes)
        template = (KAFKA / "cluster.properties.template").read_text(encoding="utf-8")
        cluster_id = self._storage_tool("random-uuid").strip()
        for node in self.nodes:
            data = self.root / f"node-{node}" / "data"
            data.mkdir(parents=True, exist_ok=True)
            values = {
                "@NODE_ID@": str(node),
                "@VOTERS@": voters,
                "@PORT@": str(self.port(node)),
                "@CONTROLLER_PORT@": str(self.controller_port(node)),
                "@DATA_DIR@": str(data),
            }
            text = template
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            self.config_file(node).write_text(text, encoding="utf-8")
            if not (data / "meta.properties").exists():
                self._storage_tool("format", "-t", cluster_id, "-c", str(self.config_file(node)))

    def _storage_tool(self, *arguments: str) -> str:
        return subprocess.run(
            [
                "java",
                "-Xmx256m",
                *JAVA_FLAGS[-2:],
                "-cp",
                f"{LIBS}/*",
                "kafka.tools.StorageTool",
                *arguments,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start_node(self, node: int) -> None:
        log = (self.root / f"node-{node}.log").open("ab")
        self.processes[node] = subprocess.Popen(
            [
                "java",
                *JAVA_FLAGS,
                f"-Dkafka.logs.dir={self.root / f'node-{node}' / 'logs'}",
                "-cp",
                f"{LIBS}/*",
                "kafka.Kafka",
                str(self.config_file(node)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill_node(self, node: int) -> None:
        """SIGKILL, as a crashed machine: nothing flushed, no controlled shutdown."""
        process = self.processes.pop(node)
        process.kill()
        process.wait()

    def start(self) -> None:
        self.configure()
        for node in self.nodes:
            self.start_node(node)

    async def create_topics(self) -> list[str]:
        return await ensure_topics(
            self.bootstrap,
            START_TIMEOUT_SECONDS,
            replication_factor=REPLICATION_FACTOR,
            min_insync_replicas=MIN_INSYNC_REPLICAS,
        )

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-port", type=int, default=29092)
    parser.add_argument("--dir", type=Path, default=REPOSITORY / ".local" / "kafka-cluster")
    arguments = parser.parse_args()
    cluster = KafkaCluster(arguments.dir, arguments.base_port)
    # Blocked, so sigwait below receives them instead of Python raising KeyboardInterrupt.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    cluster.start()
    try:
        created = asyncio.run(cluster.create_topics())
        print(f"Kafka cluster at {cluster.bootstrap}; created {len(created)} topics", flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
