"""Archives and clusters that cannot flood or hang, and loaders with clear messages: checkpoint
zips checked from their directory before anything is written, bounded in size and ratio and
counted while unpacked; cache folders named to fit; an unreachable Ray address refused
quickly, a hung shard failing its group, SIGTERM during a Ray run; a pickled model refused in
one line; GloVe files with a byte-order mark; a compiled-template cache that cannot be used."""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from harness.files import build_once
from harness.pipeline.ray_executor import host_and_port
from harness_backends.bert_checkpoint import CheckpointError, cache_name, open_checkpoint
from harness_backends.safe_zip import ENV_MAX_UNZIPPED, ENV_MAX_ZIP_RATIO, UnsafeZip, copy_counted
from harness_backends.vector_files import read_text_vectors
from tests.helpers import POLYSEMY, ROOT, start_slow_run

CONFIG = {"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
          "intermediate_size": 16, "vocab_size": 10, "max_position_embeddings": 16,
          "type_vocab_size": 2}
VOCAB = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nmouse\n"
DATA = "ck/bert_model.ckpt.data-00000-of-00001"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A cache folder of this test's own (not made yet)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(folder))
    return folder


def written(cache: Path) -> list[str]:
    """Everything under the cache folder."""
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*")) if cache.exists() else []


def checkpoint_zip(path: Path, config: str | None = None, data: bytes = b"\0" * 64,
                   zeros: int = 0) -> Path:
    """A zip laid out as Google ships a checkpoint (its files in ck/); the data member is
    `data`, or `zeros` bytes of zeros streamed in (a zip bomb's member: it compresses ~1000x)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ck/bert_config.json", json.dumps(CONFIG) if config is None else config)
        archive.writestr("ck/vocab.txt", VOCAB)
        archive.writestr("ck/bert_model.ckpt.index", b"index")
        if not zeros:
            archive.writestr(DATA, data)
            return path
        with archive.open(DATA, "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(zeros >> 20):
                member.write(block)
    return path


def refusal(path: Path) -> str:
    with pytest.raises(CheckpointError) as info:
        open_checkpoint(path)
    return str(info.value)


# -- zips: checked before anything is written ---------------------------------------------


def test_a_zip_over_the_size_limit_writes_nothing(tmp_path, cache, monkeypatch):
    monkeypatch.setenv(ENV_MAX_UNZIPPED, "1000000")
    zipped = checkpoint_zip(tmp_path / "big.zip", data=os.urandom(2_000_000))
    message = refusal(zipped)
    assert "over the limit of 1,000,000" in message and ENV_MAX_UNZIPPED in message
    assert written(cache) == []


def test_a_member_over_the_ratio_limit_writes_nothing(tmp_path, cache, monkeypatch):
    bomb = checkpoint_zip(tmp_path / "bomb.zip", zeros=8 << 20)
    assert bomb.stat().st_size < 100_000  # 8 MiB of zeros in a few KB
    message = refusal(bomb)
    assert f"member {DATA} would unpack" in message and "more than 50x" in message
    assert ENV_MAX_ZIP_RATIO in message and written(cache) == []
    monkeypatch.setenv(ENV_MAX_ZIP_RATIO, "100000")  # the variable moves the limit
    assert (open_checkpoint(bomb).folder / DATA.split("/")[1]).stat().st_size == 8 << 20


@pytest.mark.parametrize(("config", "message"), [
    ("", "cannot read it as JSON"),
    ("[1, 2]", "a JSON object of settings is expected, not list"),
    ('{"hidden_size": 8}', "missing or non-integer num_hidden_layers"),
    (json.dumps({**CONFIG, "hidden_act": "swish"}), "hidden_act 'swish' is not supported"),
    (json.dumps({**CONFIG, "num_attention_heads": 3}), "not a multiple of num_attention_heads"),
])
def test_a_wrong_config_is_refused_before_any_extraction(tmp_path, cache, monkeypatch, config,
                                                         message):
    monkeypatch.setenv(ENV_MAX_ZIP_RATIO, "100000")  # only the config can refuse this bomb
    bomb = checkpoint_zip(tmp_path / "bomb.zip", config=config, zeros=8 << 20)
    got = refusal(bomb)
    assert message in got and "ck/bert_config.json" in got
    assert written(cache) == []


def test_missing_members_are_refused_before_any_extraction(tmp_path, cache):
    path = tmp_path / "novocab.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ck/bert_config.json", json.dumps(CONFIG))
    assert "no vocab.txt beside bert_config.json (in ck/)" in refusal(path)
    assert written(cache) == []


def test_a_member_escaping_the_folder_writes_nothing(tmp_path, cache):
    path = checkpoint_zip(tmp_path / "evil.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("../outside.txt", "gotcha")
    assert "'../outside.txt' would be written outside" in refusal(path)
    assert written(cache) == [] and not (tmp_path / "outside.txt").exists()


def understate(path: Path, name: str, size: int, crc: int | None = None) -> None:
    """Make the zip's headers (local and central) say member `name` unpacks to `size` bytes
    (and, given, has that CRC): a lying header."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    at = data.find(encoded)
    while at != -1:
        if data[at - 30 : at - 26] == b"PK\x03\x04":  # a local header: sizes at 18 and 22
            fields = at - 30 + 14
        elif data[at - 46 : at - 42] == b"PK\x01\x02":  # a central one: at 20 and 24
            fields = at - 46 + 16
        else:
            fields = None
        if fields is not None:
            if crc is not None:
                data[fields : fields + 4] = struct.pack("<I", crc)
            data[fields + 8 : fields + 12] = struct.pack("<I", size)
        at = data.find(encoded, at + 1)
    path.write_bytes(bytes(data))


def test_a_header_that_understates_a_member_unpacks_no_more_than_it_says(tmp_path, cache):
    """The lie is the data member's size: 1,000 bytes said, 2 MiB of zeros inside (so neither
    the size nor the ratio limit sees it). Python's zipfile stops at the declared size, and the
    harness counts what it writes besides: at most 1,000 bytes ever reach the disk."""
    path = checkpoint_zip(tmp_path / "liar.zip", data=bytes(2 << 20))
    understate(path, DATA, 1000)  # the CRC is still the whole member's: corrupt
    message = refusal(path)
    assert "CRC" in message and "download the zip again" in message
    assert written(cache) == []  # refused while unpacking: the partial folder is removed
    understate(path, DATA, 1000, crc=zlib.crc32(bytes(1000)))  # a consistent lie
    folder = open_checkpoint(path).folder
    assert (folder / DATA.split("/")[1]).stat().st_size == 1000


def test_the_bytes_written_are_counted():
    """What stops a member that gives more than its header declares, whatever the zip reader
    does: the copy counts."""
    out = io.BytesIO()
    with pytest.raises(UnsafeZip, match="holds more than the 1,000 bytes its header"):
        copy_counted(io.BytesIO(bytes(5000)), out, 1000, 10**9, "x.zip: member m")
    assert len(out.getvalue()) <= 1000
    with pytest.raises(UnsafeZip, match="pass the limit"):
        copy_counted(io.BytesIO(bytes(5000)), io.BytesIO(), 10**9, 1000, "x.zip: member m")


def test_a_failed_build_leaves_nothing(tmp_path):
    target = tmp_path / "cache" / "deep" / "thing"

    def fail(tmp: Path) -> None:
        (tmp / "half.bin").write_bytes(b"x" * 100)
        raise CheckpointError("no")

    with pytest.raises(CheckpointError):
        build_once(target, fail)
    assert not (tmp_path / "cache").exists()  # the folders made to hold it are gone too


def test_a_killed_build_s_folder_is_removed_by_the_next_build_once_a_day_old(tmp_path):
    from harness.files import STALE_BUILD_S

    def left(name: str, age_s: float) -> Path:
        folder = tmp_path / name
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "half.bin").write_bytes(b"x")
        when = time.time() - age_s
        os.utime(folder, (when, when))
        return folder

    killed = left(".thing.k1ll3d_x", STALE_BUILD_S + 60)
    running = left(".thing.runn1ng_", 60)  # another process building it now
    other = left(".thing.zip.0ld_0ne", STALE_BUILD_S + 60)  # a longer target's: not ours
    kept = left(".thing.bak", STALE_BUILD_S + 60)  # not a name mkdtemp makes
    build_once(tmp_path / "thing", lambda tmp: (tmp / "done").write_text("yes"))
    assert (tmp_path / "thing" / "done").read_text() == "yes"
    assert not killed.exists()
    assert running.exists() and other.exists() and kept.exists()


# -- cache folder names fit -------------------------------------------------------------------

LONG_NAME = "é" * 120 + ".zip"  # 244 bytes of UTF-8: legal, but no room for more


def test_a_long_accented_zip_name_gets_a_short_cache_folder(tmp_path, cache):
    path = checkpoint_zip(tmp_path / LONG_NAME)
    checkpoint = open_checkpoint(path)
    name = checkpoint.unpacked.name
    assert name == cache_name(path) and name.startswith("e" * 60 + "-")
    assert len(name.encode()) < 100 and checkpoint.config == CONFIG


@pytest.mark.parametrize(("stem", "start"), [
    ("日本語のモデル", "checkpoint-"), ("..", "checkpoint-"), ("a b:c*d", "a-b-c-d-"),
    ("uncased_L-12_H-768_A-12", "uncased_L-12_H-768_A-12-"),
])
def test_cache_names_are_safe(tmp_path, stem, start):
    path = tmp_path / f"{stem}.zip"
    path.write_bytes(b"zip")
    name = cache_name(path)
    assert name.startswith(start) and len(name) == len(start) + 16
    assert name.isascii() and "/" not in name


# -- word vectors with a byte-order mark ------------------------------------------------------

GLOVE = "\ufeffthe 0.1 0.2\ncat 0.3 0.4\n"


@pytest.mark.parametrize("name", ["bom.txt", "bom.txt.gz"])
def test_a_byte_order_mark_does_not_hide_the_first_word(tmp_path, name):
    path = tmp_path / name
    data = GLOVE.encode("utf-8")
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    words, matrix = read_text_vectors(path)
    assert words == ["the", "cat"]
    np.testing.assert_allclose(matrix[0], [0.1, 0.2], rtol=1e-6)


# -- the compiled report template is an optimisation ------------------------------------------


@pytest.mark.parametrize("fault", ["dump", "load"])
def test_a_template_cache_that_fails_never_fails_the_report(tmp_path, cache, monkeypatch,
                                                             fault):
    jinja2 = pytest.importorskip("jinja2")
    from harness.reports.html import render
    from tests.test_reports import polysemy_results

    results = polysemy_results()
    if fault == "load":
        render(results)  # compiled copies now in the cache, for `load` to find

    calls = []

    def broken(self, bucket):
        calls.append(fault)
        if fault == "dump":
            raise OSError(errno.ENOSPC, "No space left on device")
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, f"{fault}_bytecode", broken)
    html = render(results)
    assert '<table id="summary">' in html
    assert calls and set(calls) == {fault}  # the fault was met, once per template


# -- Ray: bounded waits, signals honoured -----------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(("address", "expected"), [
    ("127.0.0.1:6379", ("127.0.0.1", 6379)),
    ("ray://head.example:10001", ("head.example", 10001)),
    ("ray://head.example", ("head.example", 10001)),
    ("[::1]:6379", ("::1", 6379)),
    ("anyscale://cluster", None),
])
def test_addresses_checked_before_joining(address, expected):
    assert host_and_port(address) == expected


def test_an_unreachable_ray_address_exits_2_naming_it(tmp_path):
    """Nothing listens at the port: the run ends at once (no Ray started, nothing written)."""
    pytest.importorskip("ray")
    address = f"127.0.0.1:{free_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "harness", "run", str(POLYSEMY), "-b", "glove-50d",
         "--executor", "ray", "--ray-address", address, "-o", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)  # a bound, not a measurement
    assert done.returncode == 2, done.stderr
    assert f"no Ray cluster answers at {address}" in done.stderr
    assert "ray start --head" in done.stderr and "leave out --ray-address" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.slow
def test_a_hung_shard_fails_its_group_and_the_others_are_kept(local_ray):
    from harness.pipeline.ray_executor import RayExecutor
    from harness.pipeline.runner import run_suites
    from harness.suites.validate import load_suite
    from harness.testing import FakeBackend

    class Hung(FakeBackend):  # defined here: Ray's workers receive it by value
        def embed_batch(self, items):
            time.sleep(600)

    results = run_suites([load_suite(POLYSEMY)], [Hung("hung"), FakeBackend("fine", {"seed": 1})],
                         executor=RayExecutor(shard_timeout=3))
    error = results.backends["hung"].error
    assert results.backends["hung"].status == "error"
    assert "backend hung" in error and "shard 1 of " in error
    assert "HARNESS_RAY_SHARD_TIMEOUT" in error
    assert results.backends["fine"].status == "ok"


class _Ref:
    def __init__(self, shard: list, ready: bool):
        self.shard, self.ready = shard, ready


class _Worker:
    def __init__(self, hangs: bool):
        self.embed = self
        self.hangs = hangs

    def remote(self, shard):
        return _Ref(shard, ready=not self.hangs)


class _FakeRay:
    """Ray's wait/get/kill without Ray, on a clock that moves one second per wait."""

    class exceptions:
        class RayActorError(Exception):
            pass

    def __init__(self):
        self.now = 0.0

    def wait(self, refs, num_returns, timeout):
        self.now += 1.0 if timeout else 0.0
        return [r for r in refs if r.ready][:num_returns], []

    def get(self, ref):
        return [f"vector of {item}" for item in ref.shard]

    def kill(self, actor):
        pass


def test_a_hung_shard_is_noticed_while_other_shards_keep_finishing(monkeypatch):
    from harness.pipeline import ray_executor

    fake = _FakeRay()
    monkeypatch.setattr(ray_executor.time, "monotonic", lambda: fake.now)
    workers = iter([_Worker(hangs=True), _Worker(hangs=False)])
    run = ray_executor._ShardRun(fake, lambda: next(workers), [[n] for n in range(40)],
                              workers=2, retries=0, limit=5, about="backend slow")
    with pytest.raises(TimeoutError, match="shard 1 of 40"):
        run.wait_all(progress=None)
    # the healthy worker was still finishing a shard every second: the hung one is
    # noticed once its limit passes, not after every other shard is done
    assert 3 <= len(run.done) <= 7


def test_shards_ready_but_not_yet_collected_are_not_called_hung(monkeypatch):
    """wait() hands back one ready result a turn; the others, ready too, may pass the limit
    while they wait to be collected, and must not fail the group."""
    from harness.pipeline import ray_executor

    fake = _FakeRay()
    monkeypatch.setattr(ray_executor.time, "monotonic", lambda: fake.now)
    run = ray_executor._ShardRun(fake, lambda: _Worker(hangs=False), [[n] for n in range(12)],
                              workers=4, retries=0, limit=1.5, about="backend busy")
    done = run.wait_all(progress=None)
    assert sorted(done) == list(range(12))
    assert done[7] == ["vector of 7"]




@pytest.mark.slow
def test_sigterm_during_a_ray_run_exits_143_keeping_the_finished_backends(tmp_path):
    pytest.importorskip("ray")
    process, out = start_slow_run(tmp_path, "--executor", "ray")
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 143, stderr
    data = json.loads((out / "results.json").read_text())
    assert data["interrupted"] is True
    assert data["backends"]["fake"]["status"] == "ok"
    assert data["backends"]["slow"]["status"] == "interrupted"
    assert "the run was interrupted (SIGTERM)" in data["backends"]["slow"]["error"]


# -- real models: a long-named checkpoint zip, a pickled PyTorch model -------------------------


@pytest.fixture(scope="module")
def exported(tiny_bert, tmp_path_factory):
    pytest.importorskip("tensorflow")
    from harness_backends.bert_checkpoint import export_checkpoint

    return export_checkpoint(tiny_bert, tmp_path_factory.mktemp("export") / "tiny")


def test_a_long_accented_zip_name_runs(exported, tmp_path, cache):
    from harness.backend import Item
    from harness_backends.tf import TfBackend

    path = tmp_path / LONG_NAME
    with zipfile.ZipFile(path, "w") as archive:
        for file in exported.iterdir():
            archive.write(file, f"uncased_L-2_H-32_A-2/{file.name}")
    vectors = TfBackend("t", {"checkpoint": str(path)}).embed(
        [Item("A mouse is a rodent.", (2, 7))]).vectors
    assert np.isfinite(vectors).all()
    [unpacked] = (cache / "tf-checkpoints").iterdir()
    assert unpacked.name.startswith("e" * 60 + "-")


def test_a_pickled_model_is_refused_in_one_line(tiny_bert, tmp_path):
    import shutil

    import torch

    from harness.errors import BackendUnavailable
    from harness_backends.hf import HfBackend

    folder = shutil.copytree(tiny_bert, tmp_path / "model")
    (folder / "model.safetensors").unlink()
    torch.save({"weights": Payload(tmp_path / "ran")}, folder / "pytorch_model.bin")
    with pytest.raises(BackendUnavailable) as info:
        HfBackend("h", {"model": str(folder)})._ensure_loaded()
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
    assert message.startswith(f"{folder / 'pytorch_model.bin'}: holds pickled code (")
    assert "save_pretrained(dir, safe_serialization=True)" in message
    assert "which the harness does not load" in message and "weights_only" not in message
    assert not (tmp_path / "ran").exists()  # the pickled code never ran


class Payload:
    """Pickled as a call of Path.write_text: code that torch's safe loader refuses to run."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (Path.write_text, (self.path, "ran"))
