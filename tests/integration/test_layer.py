"""`make package`'s dependency layer: Lambda's platform (Python 3.12 on arm64), not the host's wheels,
and byte-identical from the same pins. Its wheels come from PyPI: without it, the test says so."""

import socket
import zipfile

import pytest

from tasks_ops import build as package


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not _pypi_reachable(), reason="PyPI (pypi.org:443) is unreachable: the layer's arm64 wheels come from it"
)


@pytest.fixture(scope="module")
def layers(tmp_path_factory):
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    return package.build_layer(first), package.build_layer(second)


def test_two_builds_give_a_byte_identical_layer(layers):
    first, second = layers
    assert first.read_bytes() == second.read_bytes()


def test_the_layer_holds_the_runtime_dependencies_under_python(layers):
    with zipfile.ZipFile(layers[0]) as archive:
        roots = {
            name.split("/")[1].removesuffix(".py") for name in archive.namelist()
        }  # packages and modules
    assert {"boto3", "aws_lambda_powertools", "aws_xray_sdk", "jsonschema", "rfc3339_validator"} <= roots


def test_the_layers_native_code_is_built_for_python_3_12_on_arm64(layers):
    with zipfile.ZipFile(layers[0]) as archive:
        native = [name for name in archive.namelist() if name.endswith(".so")]
    assert native
    assert all("cpython-312-aarch64-linux-gnu" in name for name in native), native


def test_the_layer_has_no_bytecode_but_lambdas(layers):
    with zipfile.ZipFile(layers[0]) as archive:
        names = archive.namelist()
    assert not [name for name in names if name.endswith(".pyc") and f".{package.BYTECODE_TAG}." not in name]
