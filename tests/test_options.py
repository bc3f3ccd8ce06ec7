"""harness/backend/options.py and the transformer options: the parsers (what each accepts, its
bounds, its error message) and `Option.coerce` (CLI strings and Python values alike, choices,
errors that name the option), through a backend's constructor too."""

from __future__ import annotations

import pytest

from harness.backend.options import (
    Option,
    non_negative_int,
    parse_bool,
    parse_int_list,
    parse_postprocess,
    positive_int,
)
from harness.backend.transformer import TRANSFORMER_OPTIONS, parse_device
from harness.errors import OptionError
from tests.toy_models import ToyBackend


@pytest.mark.parametrize(("text", "want"), [
    ("1", True), ("true", True), (" Yes ", True), ("ON", True),
    ("0", False), ("false", False), ("no", False), (" Off", False),
])
def test_parse_bool_reads_the_usual_spellings(text, want):
    assert parse_bool(text) is want


@pytest.mark.parametrize("text", ["", "maybe", "2", "y"])
def test_parse_bool_refuses_anything_else_quoting_it(text):
    with pytest.raises(ValueError, match=f"^expected true or false, got {text!r}$"):
        parse_bool(text)


@pytest.mark.parametrize(("text", "want"), [
    ("-4,-3,-2,-1", (-4, -3, -2, -1)), ("1 2", (1, 2)), (" 0, 5 ,", (0, 5)), ("7", (7,)),
])
def test_parse_int_list_reads_commas_or_spaces(text, want):
    assert parse_int_list(text) == want


@pytest.mark.parametrize("text", ["", " , ", "a", "1,b", "1.5"])
def test_parse_int_list_refuses_anything_else(text):
    with pytest.raises(ValueError, match="^expected one or more integers, like -4,-3,-2,-1$"):
        parse_int_list(text)


@pytest.mark.parametrize(("parse", "text", "message"), [
    (positive_int, "0", "must be a whole number of at least 1"),
    (positive_int, "-3", "must be a whole number of at least 1"),
    (positive_int, "x", "expected a whole number"),
    (positive_int, "2.5", "expected a whole number"),
    (non_negative_int, "-1", "must be a whole number, 0 or more"),
    (non_negative_int, "", "expected a whole number"),
])
def test_integer_parsers_hold_their_bounds(parse, text, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse(text)


def test_integer_parsers_accept_their_bounds():
    assert (positive_int("1"), positive_int(" 64 "), non_negative_int("0")) == (1, 64, 0)


@pytest.mark.parametrize(("text", "want"), [
    ("none", "none"), (" Center ", "center"), ("STANDARDIZE", "standardize"), ("abtt:3", "abtt:3"),
    ("ABTT:03", "abtt:3"),
])
def test_parse_postprocess_reads_each_kind(text, want):
    assert parse_postprocess(text) == want


@pytest.mark.parametrize("text", ["whiten", "abtt", "abtt:", "abtt:0", "abtt:-1", "abtt:x", ""])
def test_parse_postprocess_refuses_anything_else_saying_what_to_use(text):
    with pytest.raises(ValueError, match=r"^use none, center, standardize or abtt:D \(D "
                       r"principal components to remove, like abtt:3\)$"):
        parse_postprocess(text)


# -- Option.coerce ------------------------------------------------------------------------------


def test_coerce_parses_a_cli_string():
    assert Option(64, "", positive_int).coerce("batch_size", "8") == 8
    assert Option((), "", parse_int_list).coerce("layers", "-1,-2") == (-1, -2)


def test_coerce_holds_the_bounds_for_an_int_from_python_too():
    option = Option(64, "", positive_int)
    assert option.coerce("batch_size", 3) == 3
    with pytest.raises(OptionError, match=r"^option batch_size='0': must be a whole number of "
                       "at least 1$"):
        option.coerce("batch_size", 0)


def test_coerce_names_the_option_and_the_value_it_refuses():
    with pytest.raises(OptionError, match=r"^option flag='maybe': expected true or false, got "
                       "'maybe'$"):
        Option(False, "", parse_bool).coerce("flag", "maybe")


@pytest.mark.parametrize(("value", "message"), [
    (2.5, "option batch_size='2.5': expected a whole number"),
    (2.0, "option batch_size='2.0': expected a whole number"),
    (-5.0, "option batch_size='-5.0': expected a whole number"),
    (True, "option batch_size='True': expected a whole number"),
    (False, "option batch_size='False': expected a whole number"),
    ("2.5", "option batch_size='2.5': expected a whole number"),
    (None, "option batch_size=None: give a value, or leave the option out for its default (64)"),
    ([2, 3], "option batch_size='2,3': expected a whole number"),
])
def test_coerce_runs_every_python_scalar_through_the_parser(value, message):
    """Floats and bools from the Python API were once stored unchecked (batch_size=2.5)."""
    with pytest.raises(OptionError) as caught:
        Option(64, "", positive_int).coerce("batch_size", value)
    assert str(caught.value) == message


def test_coerce_reads_numpy_numbers_and_lists_through_the_parser():
    import numpy as np

    got = Option(64, "", positive_int).coerce("batch_size", np.int64(3))
    assert got == 3 and type(got) is int
    option = Option((), "", parse_int_list)
    assert option.coerce("layers", [-1, np.int64(-2)]) == (-1, -2)
    assert option.coerce("layers", -1) == (-1,)
    with pytest.raises(OptionError) as caught:
        option.coerce("layers", [-1, 2.5])
    assert str(caught.value) == ("option layers='-1,2.5': expected one or more integers, like "
                                 "-4,-3,-2,-1")
    flag = Option(False, "", parse_bool)
    assert (flag.coerce("flag", 1), flag.coerce("flag", np.bool_(False))) == (True, False)
    with pytest.raises(OptionError, match=r"^option flag='1.0': expected true or false"):
        flag.coerce("flag", 1.0)


def test_coerce_leaves_a_bool_and_a_string_option_alone():
    assert Option(False, "", parse_bool).coerce("flag", True) is True
    assert Option("x", "").coerce("name", "  as given ") == "  as given "
    assert Option("x", "").coerce("name", 5) == 5  # parse=str: never applied


def test_coerce_makes_a_list_a_tuple():
    assert Option((), "").coerce("layers", [-1, -2]) == (-1, -2)


def test_coerce_holds_the_choices():
    option = Option("sum", "", choices=("sum", "mean", "concat"))
    assert option.coerce("layer_pool", "mean") == "mean"
    with pytest.raises(OptionError, match=r"^option layer_pool='max': must be one of sum, mean, "
                       "concat$"):
        option.coerce("layer_pool", "max")


# -- the transformer options, through a backend's constructor ------------------------------------


@pytest.mark.parametrize(("options", "message"), [
    ({"batch_size": "0"}, "option batch_size='0': must be a whole number of at least 1"),
    ({"batch_size": 0}, "option batch_size='0': must be a whole number of at least 1"),
    ({"max_tokens": -1}, "option max_tokens='-1': must be a whole number, 0 or more"),
    ({"max_length": "x"}, "option max_length='x': expected a whole number"),
    ({"layers": "top"}, "option layers='top': expected one or more integers"),
    ({"layer_pool": "max"}, "option layer_pool='max': must be one of sum, mean, concat"),
    ({"subword_pool": "avg"}, "option subword_pool='avg': must be one of mean, first, last, sum"),
    ({"batch_size": 2.5}, "option batch_size='2.5': expected a whole number"),
    ({"max_tokens": -5.0}, "option max_tokens='-5.0': expected a whole number"),
    ({"max_length": True}, "option max_length='True': expected a whole number"),
    ({"max_tokens": "-5"}, "option max_tokens='-5': must be a whole number, 0 or more"),
    ({"device": 0}, "option device='0': not a device this harness knows"),
    ({"layer_pool": True}, "option layer_pool=True: must be one of sum, mean, concat"),
])
def test_a_bad_transformer_option_is_refused_when_the_backend_is_made(options, message):
    with pytest.raises(OptionError, match=f"^{message}"):
        ToyBackend("toy", options)


def test_the_transformer_options_and_their_defaults():
    backend = ToyBackend("toy", {"layers": "-1", "max_tokens": "0", "device": "CUDA:1"})
    assert backend.options == {
        "batch_size": 64, "postprocess": "none", "layers": (-1,), "layer_pool": "sum",
        "subword_pool": "mean", "max_length": 0, "max_tokens": 0, "device": "cuda:1",
        "truncate_dim": "full", "similarity": "cosine"}
    assert [k for k, o in TRANSFORMER_OPTIONS.items() if not o.affects_vectors] == [
        "batch_size", "max_tokens", "device"]


@pytest.mark.parametrize(("text", "want"), [("cpu", "cpu"), (" CUDA ", "cuda"),
                                            ("cuda:12", "cuda:12"), ("mps", "mps")])
def test_parse_device_reads_the_devices_it_knows(text, want):
    assert parse_device(text) == want


@pytest.mark.parametrize("device", ["tpu", "cuda:x", "gpu"])
def test_an_unknown_device_is_refused_by_name(device):
    """Moved here from tests/test_hf.py (the option is the transformer base class's)."""
    with pytest.raises(OptionError, match=rf"device='{device}'.*use cpu, cuda, cuda:N or mps"):
        ToyBackend("toy", {"device": device})
