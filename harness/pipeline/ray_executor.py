"""The Ray executor: shards of a run's unique contexts on Ray workers (actors) that hold each
group's backends. Ray is imported only when a RayExecutor first embeds or checks its cluster.

Every wait on the cluster is bounded: joining one starts with a TCP connect to its address
(HARNESS_RAY_CONNECT_TIMEOUT seconds, default 5) and one attempt of Ray's own connection (about
40 s at worst); each shard has HARNESS_RAY_SHARD_TIMEOUT seconds (default 1800) from the moment
its worker is given it, after which its group fails with a message naming it.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from harness.backend import Backend, Embeddings, Item
from harness.backend.capabilities import resources_of
from harness.errors import HarnessError, Terminated
from harness.pipeline.embedding import Progress, assemble, embed_group, shard_positions
from harness.pipeline.embedding_cache import EmbeddingCache

log = logging.getLogger("harness.executors")

ENV_CONNECT_TIMEOUT, CONNECT_TIMEOUT_S = "HARNESS_RAY_CONNECT_TIMEOUT", 5.0
ENV_SHARD_TIMEOUT, SHARD_TIMEOUT_S = "HARNESS_RAY_SHARD_TIMEOUT", 1800.0
POLL_S = 0.5  # ray.wait returns this often, so signals and the shard limit are seen
INSTALL_RAY = "--executor ray needs Ray: pip install 'wic-harness[ray]'"
RAY_CLIENT_PORT = 10001  # ray://host without a port
# Ray retries its connection to a cluster's GCS about once a second this many times (each try
# can take 40 s when something that is not Ray answers); the TCP check has found the port open
RAY_CONNECT_TRIES = "1"


class EmbedWorker:
    """Holds a group's backends (so a model loads once per worker) and embeds shards. Wrapped
    by `ray.remote` at run time; a plain class, so this module never needs Ray."""

    def __init__(self, specs: list[tuple[type, str, dict]], cache_path: str | None):
        self.group = [cls(name, options) for cls, name, options in specs]
        self.cache = EmbeddingCache(cache_path) if cache_path else None

    def embed(self, items: list[Item]) -> list[Embeddings | Exception]:
        return embed_group(self.group, items, cache=self.cache)


# -- the limits and the cluster's address ---------------------------------------------------


def env_seconds(name: str, default: float) -> float:
    """A positive number of seconds from the environment variable `name`, else `default`."""
    given = os.environ.get(name, "").strip()
    if not given:
        return default
    try:
        value = float(given)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise HarnessError(f"{name}={given!r}: give a positive number of seconds")
    return value


# where the address came from -> how to fix a cluster that does not answer there
FIXES = {
    "--ray-address": "Start one there with `ray start --head --port {port}`, or leave out "
                     "--ray-address to run a local Ray",
    "RAY_ADDRESS": "Start one there with `ray start --head --port {port}`, or unset RAY_ADDRESS "
                   "to run a local Ray",
    "ray start": "It is the cluster the last `ray start` on this machine recorded: `ray start "
                 "--head --port {port}` starts it again, `ray stop` forgets it (a local Ray "
                 "then runs)",
}


def cluster_address(address: str | None) -> tuple[str | None, str]:
    """The address Ray will join (None: it starts a local Ray) and where it came from (a key
    of FIXES). Without an address, Ray joins the cluster the last `ray start` recorded."""
    from_env = os.environ.get("RAY_ADDRESS", "").strip()
    if from_env and address in (None, "auto"):
        return from_env, "RAY_ADDRESS"
    if address == "local":
        return None, "--ray-address"
    if address in (None, "auto"):
        return _recorded_address(address), "ray start"
    return address, "--ray-address"


def _recorded_address(address: str | None) -> str | None:
    """The cluster Ray finds for None or `auto` (the last `ray start` on this machine), as Ray
    resolves it; None for a local Ray, or when this Ray version cannot say."""
    try:
        from ray._private.services import canonicalize_bootstrap_address
    except ImportError:
        return None
    try:
        return canonicalize_bootstrap_address(address)
    except ConnectionError:
        raise HarnessError(
            "--ray-address auto: no Ray cluster is running on this machine. Start one with "
            "`ray start --head`, or leave out --ray-address to run a local Ray") from None
    except Exception:  # noqa: BLE001 - Ray's internals: ray.init reports what is wrong
        return None


def host_and_port(address: str) -> tuple[str, int] | None:
    """(host, port) of host:port or ray://host[:port]; None for forms not checked here."""
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "ray"):
        return None
    rest = rest.split("/", 1)[0]
    host, colon, port = rest.rpartition(":")
    if not colon or "]" in port:  # no port given (an IPv6 address in brackets has colons)
        host, port = rest, str(RAY_CLIENT_PORT) if scheme == "ray" else ""
    if not port.isdigit() or not host.strip("[]"):
        raise HarnessError(f"Ray address {address!r}: give HOST:PORT (the address `ray start "
                           "--head` prints), ray://HOST:PORT, or auto")
    return host.strip("[]"), int(port)


def check_reachable(address: str | None, source: str = "--ray-address") -> None:
    """A HarnessError, quickly, when nothing answers at the cluster's address."""
    where = host_and_port(address) if address else None
    if where is None:
        return
    limit = env_seconds(ENV_CONNECT_TIMEOUT, CONNECT_TIMEOUT_S)
    try:
        socket.create_connection(where, timeout=limit).close()
    except OSError as exc:
        reason = (f"no answer in {limit:g} s" if isinstance(exc, TimeoutError)
                  else (exc.strerror or str(exc)).lower())
        given = f", from {source}" if source == "RAY_ADDRESS" else ""
        fix = FIXES.get(source, FIXES["--ray-address"]).format(port=where[1])
        raise HarnessError(f"no Ray cluster answers at {address} ({reason}{given}). {fix}"
                           ) from None


# -- Ray -------------------------------------------------------------------------------------


class RayExecutor:
    """Shards of the unique contexts as Ray tasks on workers (actors) that hold each group's
    backends, with the resources the backends ask for. A shard whose task fails is retried
    (`retries` times, on a fresh worker); a group that fails on every try, or whose shard
    takes longer than `shard_timeout` seconds, is reported as failed, and the other groups'
    results are kept."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int = 1, shard_size: int = 1024,
                 retries: int = 1, shard_timeout: float | None = None, **init_options: Any):
        self.address = address
        self.workers = max(1, workers)
        self.shard_size = max(1, shard_size)
        self.retries = max(0, retries)
        self.shard_timeout = shard_timeout or env_seconds(ENV_SHARD_TIMEOUT, SHARD_TIMEOUT_S)
        self.init_options = init_options
        self._failed: HarnessError | None = None

    def check(self) -> None:
        """The cheap checks before any work: Ray is installed, the cluster's address answers."""
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            raise HarnessError(INSTALL_RAY)
        ray = sys.modules.get("ray")
        if ray is not None and ray.is_initialized():
            return
        check_reachable(*cluster_address(self.address))

    def _ray(self):
        try:
            import ray
        except ImportError:
            raise HarnessError(INSTALL_RAY) from None
        if self._failed is not None:
            raise self._failed
        if not ray.is_initialized():
            try:
                self._init(ray)
            except HarnessError as exc:
                self._failed = exc  # every later group would wait as long again
                raise
        return ray

    def _init(self, ray) -> None:
        address, source = cluster_address(self.address)
        check_reachable(address, source)
        quiet = not logging.getLogger("harness").isEnabledFor(logging.INFO)
        options = {"include_dashboard": False, "log_to_driver": not quiet,
                   "logging_level": logging.ERROR if quiet else logging.INFO,
                   **self.init_options}
        try:
            with _connect_tries(address), _sigterm_guard():
                ray.init(address=self.address, **options)
        except (ConnectionError, TimeoutError, ValueError, RuntimeError) as exc:
            first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
            where = f"join the Ray cluster at {address}" if address else "start a local Ray"
            auth = (" (a cluster with token authentication, Ray's default, needs "
                    "RAY_AUTH_MODE=token here)" if address and "RAY_AUTH_MODE" not in os.environ
                    else "")
            raise HarnessError(f"cannot {where}: {type(exc).__name__}: {first}. Check that "
                               f"`ray status` works there{auth}, or leave out --ray-address to "
                               "run a local Ray") from None

    def embed(self, group: Sequence[Backend], items: Sequence[Item], *,
              cache: EmbeddingCache | None = None,
              progress: Progress | None = None) -> list[Embeddings | Exception]:
        ray = self._ray()
        resources = resources_of(group[0])
        worker_class = ray.remote(EmbedWorker).options(**resources)
        specs = [(type(b), b.name, dict(b.options)) for b in group]
        cache_path = str(cache.path) if cache is not None else None
        positions = shard_positions(items, self.shard_size)
        shards = [[items[i] for i in where] for where in positions]
        run = _ShardRun(ray, lambda: worker_class.remote(specs, cache_path), shards,
                        workers=self.workers, retries=self.retries, limit=self.shard_timeout,
                        about=_about(group, resources))
        try:
            with _sigterm_guard():
                done = run.wait_all(progress)
        finally:
            run.stop()
        out: list[Embeddings | Exception] = []
        for b, backend in enumerate(group):
            parts = [done[n][b] for n in range(len(shards))]
            failed = next((p for p in parts if isinstance(p, Exception)), None)
            out.append(failed or assemble(backend, len(items), list(zip(positions, parts))))
        return out


def _about(group: Sequence[Backend], resources: dict) -> str:
    names = ", ".join(b.name for b in group)
    asked = ", ".join(f"{k}={v}" for k, v in resources.items() if v)
    return f"backend {names}" + (f" (asking Ray for {asked})" if asked else "")


class _ShardRun:
    """One group's shards on its workers: one shard in flight per worker, a failed shard
    retried (on a fresh worker when its worker died), a shard with no result `limit` seconds
    after its worker was given it failing the group."""

    def __init__(self, ray, new_worker: Callable[[], Any], shards: list[list[Item]], *,
                 workers: int, retries: int, limit: float, about: str):
        self.ray, self.new_worker, self.shards = ray, new_worker, shards
        self.retries, self.limit, self.about = retries, limit, about
        self.todo = deque((n, 0) for n in range(len(shards)))
        self.actors = [new_worker() for _ in range(min(workers, len(shards)))]
        self.in_flight: dict[Any, tuple[int, int, int, float]] = {}
        self.done: dict[int, list[Embeddings | Exception]] = {}

    def wait_all(self, progress: Progress | None) -> dict[int, list[Embeddings | Exception]]:
        for slot in range(len(self.actors)):
            self._give(slot)
        while self.in_flight:
            ready, _ = self.ray.wait(list(self.in_flight), num_returns=1, timeout=POLL_S)
            self._check_time(but=ready)  # each turn: shards finishing must not hide a hung one
            if not ready:
                continue
            shard, attempt, slot, _ = self.in_flight.pop(ready[0])
            try:
                self.done[shard] = self.ray.get(ready[0])
            except Exception as exc:  # the task raised, or its worker died
                self._retry(shard, attempt, slot, exc)
                continue
            if progress is not None:
                progress.update(len(self.shards[shard]))
            self._give(slot)
        return self.done

    def _give(self, slot: int) -> None:
        if self.todo:
            shard, attempt = self.todo.popleft()
            ref = self.actors[slot].embed.remote(self.shards[shard])
            self.in_flight[ref] = (shard, attempt, slot, time.monotonic())

    def _retry(self, shard: int, attempt: int, slot: int, exc: Exception) -> None:
        if attempt >= self.retries:
            raise RuntimeError(f"shard {shard + 1} of {len(self.shards)} failed "
                               f"{attempt + 1} times: {exc}") from None
        log.warning("ray: shard %d failed (%s); retrying", shard + 1, exc)
        if isinstance(exc, self.ray.exceptions.RayActorError):
            self._kill(self.actors[slot])
            self.actors[slot] = self.new_worker()  # a fresh one
        self.todo.appendleft((shard, attempt + 1))
        self._give(slot)

    def _check_time(self, but: list) -> None:
        now = time.monotonic()
        overdue = [ref for ref, (_, _, _, given) in self.in_flight.items()
                   if now - given > self.limit and ref not in but]
        # wait() hands back one ready result a turn: an overdue one may be ready, uncollected
        ready = self.ray.wait(overdue, num_returns=len(overdue), timeout=0)[0] if overdue else []
        for ref in overdue:
            if ref not in ready:
                shard = self.in_flight[ref][0]
                raise TimeoutError(
                    f"ray: {self.about}: shard {shard + 1} of {len(self.shards)} "
                    f"({len(self.shards[shard])} contexts) gave no result in {self.limit:g} "
                    f"s ({ENV_SHARD_TIMEOUT} moves the limit); its worker hangs, or waits "
                    "for resources the cluster does not have")

    def stop(self) -> None:
        for actor in self.actors:
            self._kill(actor)

    def _kill(self, actor: Any) -> None:
        try:
            self.ray.kill(actor)
        except Exception as exc:  # noqa: BLE001 - gone already, or Ray is shutting down
            log.debug("ray: cannot kill a worker: %s", exc)


@contextmanager
def _connect_tries(address: str | None) -> Iterator[None]:
    """While joining a cluster, Ray tries its GCS once (RAY_gcs_server_port_wait_time_s, unless
    the environment sets it), not about 20 times of up to 40 s each."""
    name = "RAY_gcs_server_port_wait_time_s"
    if address is None or name in os.environ:
        yield
        return
    os.environ[name] = RAY_CONNECT_TRIES
    try:
        yield
    finally:
        os.environ.pop(name, None)


class _sigterm_guard:
    """Keeps a Python SIGTERM handler (the CLI's: a Terminated interruption, exit 143) in
    charge around Ray's calls. ray.init replaces it with one that calls sys.exit(15), and
    ray.wait and ray.get turn what a handler raises into a plain KeyboardInterrupt: the
    handler is put back, and a SIGTERM comes out as Terminated."""

    def __enter__(self):
        main = threading.current_thread() is threading.main_thread()
        previous = signal.getsignal(signal.SIGTERM) if main else None
        self.previous = previous if callable(previous) else None
        self.seen = False
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self._handler)
        return self

    def _handler(self, signum, frame):
        self.seen = True
        self.previous(signum, frame)

    def __exit__(self, kind, exc, tb):
        if self.previous is None:
            return False
        signal.signal(signal.SIGTERM, self.previous)
        if isinstance(exc, SystemExit) and exc.code == signal.SIGTERM:  # Ray's handler
            self.previous(signal.SIGTERM, None)  # raises Terminated under the CLI
        if self.seen and isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Terminated):
            raise Terminated() from None
        return False
