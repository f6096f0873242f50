"""A bounded load generator: a few keep-alive connections on 127.0.0.1, for a fixed time.

Each request records the time the client saw and the time the server reports in its
Server-Timing header, so server time can be told from the client's and the network's.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Sample:
    client_ms: float
    server_ms: float
    status: int


@dataclass
class Result:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0

    def percentile(self, which: str, p: float) -> float:
        values = sorted(getattr(s, which) for s in self.samples)
        if not values:
            return float("nan")
        index = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
        return values[index]

    @property
    def per_second(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status >= 400)

    def summary(self) -> dict[str, float]:
        return {
            "requests": len(self.samples),
            "errors": self.errors,
            "per_second": round(self.per_second, 1),
            "server_p50_ms": round(self.percentile("server_ms", 50), 2),
            "server_p99_ms": round(self.percentile("server_ms", 99), 2),
            "client_p50_ms": round(self.percentile("client_ms", 50), 2),
            "client_p99_ms": round(self.percentile("client_ms", 99), 2),
            "server_mean_ms": round(statistics.fmean(s.server_ms for s in self.samples), 2)
            if self.samples
            else 0,
        }


def run(
    port: int,
    next_path: Callable[[int], str],
    *,
    headers: dict[str, str],
    connections: int = 2,
    seconds: float = 10,
) -> Result:
    """Keep ``connections`` requests in flight for ``seconds``; ``next_path(i)`` names each one."""
    result = Result()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                index = next(counter)
            path = next_path(index)
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            timing = response.getheader("Server-Timing", "app;dur=nan")
            server = float(timing.split("dur=")[-1])
            with lock:
                result.samples.append(Sample(elapsed, server, response.status))
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result
