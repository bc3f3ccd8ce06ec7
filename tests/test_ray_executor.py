"""The Ray executor on a local Ray (2 CPUs, no dashboard): the same results.json as the local
executor, an injected task failure retried, a backend that always fails reported alone."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytestmark = pytest.mark.slow

ray = pytest.importorskip("ray")

from harness.cli import main  # noqa: E402
from harness.pipeline.embedding_cache import EmbeddingCache  # noqa: E402
from harness.pipeline.ray_executor import RayExecutor  # noqa: E402
from harness.pipeline.runner import run_suites  # noqa: E402
from harness.plugins.manager import make_plugin_host  # noqa: E402
from harness.suites.validate import load_suite  # noqa: E402
from harness.testing import FakeBackend  # noqa: E402
from tests.helpers import POLYSEMY, QUARTET  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def without_time(results) -> dict:
    data = results.to_dict()
    data.pop("created")
    return data


@pytest.fixture
def suites(write_suite):
    return [load_suite(POLYSEMY), load_suite(write_suite(QUARTET))]


def test_same_results_as_the_local_executor(local_ray, suites):
    def backends():
        return [FakeBackend("fake"), make_plugin_host().registry().create("glove-50d")]

    local = run_suites(suites, backends())
    distributed = run_suites(suites, backends(), executor=RayExecutor(shard_size=3, workers=2))
    assert without_time(distributed) == without_time(local)


def test_a_failed_task_is_retried(local_ray, suites, tmp_path):
    options = {"fail_once": str(tmp_path / "failed-once")}
    distributed = run_suites(suites, [FakeBackend("fake", options)],
                             executor=RayExecutor(shard_size=4))
    assert (tmp_path / "failed-once").exists()  # the fault did happen, in a worker
    assert distributed.backends["fake"].status == "ok"
    local = run_suites(suites, [FakeBackend("fake", options)])  # the fault is spent: no retry
    assert without_time(distributed) == without_time(local)


def test_a_backend_that_always_fails_is_reported_and_the_others_kept(local_ray, suites):
    results = run_suites(suites, [FakeBackend("bad", {"fail": "true"}), FakeBackend("good")],
                         executor=RayExecutor(shard_size=5))
    assert results.backends["bad"].status == "error"
    assert "failed 2 times" in results.backends["bad"].error
    assert results.backends["good"].status == "ok"
    local = run_suites(suites, [FakeBackend("good")])
    assert [r.margin for r in results.rows] == [r.margin for r in local.rows]


def test_workers_share_the_cache(local_ray, suites, tmp_path):
    cache = EmbeddingCache(tmp_path / "e.sqlite3")
    run_suites(suites, [FakeBackend("fake")], cache=cache, executor=RayExecutor())
    warm = FakeBackend("fake")
    run_suites(suites, [warm], cache=cache)  # locally: every vector is cached
    assert warm.calls == []


def test_cli(local_ray, tmp_path):
    out_local, out_ray = tmp_path / "local", tmp_path / "ray"
    args = ["run", str(POLYSEMY), "-b", "glove-50d", "--no-cache", "--no-progress"]
    assert main([*args, "-o", str(out_local)]) == 0
    assert main([*args, "-o", str(out_ray), "--executor", "ray", "--shard-size", "3"]) == 0
    local, remote = (json.loads((d / "results.json").read_text()) for d in (out_local, out_ray))
    local.pop("created"), remote.pop("created")
    assert local == remote


def test_many_shards_come_back_in_order(local_ray):
    from harness.backend import Item
    from harness.pipeline.embedding import embed_group

    items = [Item(f"text number {i} " + "x" * (i % 7), (0, 4)) for i in range(1100)]
    items.append(Item("short", (10, 14)))  # no vector: its reason must come back too
    local = embed_group([FakeBackend("f")], items)[0]
    distributed = RayExecutor(shard_size=1, workers=2).embed(
        [FakeBackend("f")], items)[0]  # shards of 512: three of them
    np.testing.assert_array_equal(distributed.vectors, local.vectors)  # NaN rows included
    assert distributed.reasons == local.reasons and list(local.reasons) == [1100]


TOLERANCE = 1e-6  # a model's float32 sums come in another order with another thread count


def assert_close(got, want, where="results"):
    """Equal, but numbers within TOLERANCE."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), where
        for key in want:
            assert_close(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (a, b) in enumerate(zip(got, want)):
            assert_close(a, b, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(want, bool):
        assert got == pytest.approx(want, abs=TOLERANCE), where
    else:
        assert got == want, where


def test_a_real_model_gives_the_local_results(local_ray, suites):
    """What "the same results" means across processes: a Ray worker runs torch with other
    thread settings than this process, so a model's similarities agree within 1e-6, and
    everything else (every pass, fail and tie) is equal."""
    pytest.importorskip("torch")

    def minilm():
        return [make_plugin_host().registry().create("minilm")]

    local = run_suites(suites, minilm())
    distributed = run_suites(suites, minilm(), executor=RayExecutor())
    assert all(abs(r.margin - r.required_margin) > TOLERANCE for r in local.rows)
    assert_close(without_time(distributed), without_time(local))


def test_the_api_runs_on_ray_too(local_ray, suites):
    import harness

    local = harness.run(suites, [FakeBackend("fake")], cache=False)
    distributed = harness.run(suites, [FakeBackend("fake")], cache=False, executor="ray")
    assert without_time(distributed) == without_time(local)


# -- every command that embeds takes --executor ray ------------------------------------------

WIC_DATA = (
    "bank\tN\t4-2\tHe sat on the bank of the river .\tThe river bank was muddy .\n"
    "bank\tN\t4-4\tShe went to the bank to deposit money .\tThe river overflowed its bank .\n"
    "play\tV\t1-1\tThey play chess every day .\tChildren play football outside .\n"
    "play\tV\t2-1\tWe will play the piano tonight .\tThey played a game of cards .\n"
)
SENSES = ("sense\ttext\tword\n"
          + "".join(f"animal\tThe mouse number {i} ran into the field.\tmouse\n"
                    for i in range(4))
          + "".join(f"device\tClick mouse button {i} on the desk.\tmouse\n" for i in range(4)))


def ray_args(shard_size: int = 3) -> list[str]:
    return ["--executor", "ray", "--shard-size", str(shard_size), "--no-cache"]


def test_wic_on_ray_gives_the_local_scores(local_ray, tmp_path):
    data, gold = tmp_path / "d.txt", tmp_path / "g.txt"
    data.write_text(WIC_DATA)
    gold.write_text("T\nF\nT\nF\n")
    args = ["wic", str(data), str(gold), "--dev", str(data), str(gold), "-b", "glove-50d"]
    assert main([*args, "--no-cache", "-o", str(tmp_path / "local")]) == 0
    assert main([*args, *ray_args(), "-o", str(tmp_path / "ray")]) == 0
    local, remote = (json.loads((tmp_path / d / "wic.json").read_text())
                     for d in ("local", "ray"))
    assert remote == local and local["results"][0]["pairs"] == 4


def test_senses_on_ray_gives_the_local_map(local_ray, tmp_path, fake_only):
    pytest.importorskip("sklearn")
    path = tmp_path / "mouse.tsv"
    path.write_text(SENSES)
    args = ["senses", "-b", "fake", "--file", str(path)]
    assert main([*args, "--no-cache", "-o", str(tmp_path / "local")]) == 0
    assert main([*args, *ray_args(), "-o", str(tmp_path / "ray")]) == 0
    local, remote = ((tmp_path / d / "senses.csv").read_text() for d in ("local", "ray"))
    assert remote == local and local.count("\n") == 9


def test_geometry_on_ray_gives_the_local_rows(local_ray, tmp_path):
    args = ["geometry", "-b", "glove-50d"]
    assert main([*args, "--no-cache", "-o", str(tmp_path / "local")]) == 0
    assert main([*args, *ray_args(4096), "-o", str(tmp_path / "ray")]) == 0
    local, remote = ((tmp_path / d / "geometry.csv").read_text() for d in ("local", "ray"))
    assert remote == local and "glove-50d" in local


def test_embed_and_similarities_on_ray(local_ray):
    import harness

    contexts = [("A mouse is a rodent.", "mouse"), ("Click the mouse.", "mouse"),
                "A whole sentence."]
    local = harness.embed(FakeBackend("fake"), contexts, cache=False)
    distributed = harness.embed(FakeBackend("fake"), contexts, cache=False, executor="ray")
    np.testing.assert_array_equal(distributed, local)
    labelled = dict(zip("abc", contexts))
    assert harness.similarities(FakeBackend("fake"), labelled, False, executor="ray").equals(
        harness.similarities(FakeBackend("fake"), labelled, False))
