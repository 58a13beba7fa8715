"""as_version.h: a server version's components, parsed from and printed to text, compared.

    ver = as_version_from_string("8.1.0.2")    # as_version ver; as_version_from_string(&ver, "8.1.0.2")
    ver.major, ver.minor, ver.patch, ver.build  # fields by C name
    as_version_to_string(ver)                  # "8.1.0.2"
    as_version_compare(ver, as_server_version_8_1) >= 0

`as_server_version_8_1`, `as_server_version_8_1_1` and `as_server_version_8_2_0` are the C
client's constants (copies: changing one does not change the C client's).
"""
from __future__ import annotations

from typing import Any

from .._aerospike import ffi, lib
from ..exceptions import ParamError
from ._cstruct import SelfOwned
from .as_config import c_str
from .as_status import as_status

__all__ = ["as_version", "as_version_from_string", "as_version_to_string", "as_version_compare",
           "as_server_version_8_1", "as_server_version_8_1_1", "as_server_version_8_2_0"]


class as_version(SelfOwned):  # noqa: N801 - the C type's name
    """`as_version`: major, minor, patch, build (uint16 each)."""

    __slots__ = ()

    def __init__(self, major: int = 0, minor: int = 0, patch: int = 0, build: int = 0) -> None:
        super().__init__(ffi.new("as_version*"), self, "as_version")
        self.major, self.minor, self.patch, self.build = major, minor, patch, build

    def _check_writable(self, what: str) -> None:
        pass

    def __repr__(self) -> str:
        return f"<as_version {as_version_to_string(self)}>"


def _version(ver: Any, name: str) -> Any:
    if not isinstance(ver, as_version):
        raise TypeError(f"{name} must be an as_version, not {type(ver).__name__}")
    return ver._ptr


def as_version_from_string(str: str) -> as_version:  # noqa: A002 - C name
    """as_version_from_string(): the components of "major.minor.patch.build" (a suffix is
    ignored); text C cannot parse raises ParamError (C returns false)."""
    ver = as_version()
    if not lib.as_version_from_string(ver._ptr, c_str("str", str)):
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM, f"invalid version string {str!r}")
    return ver


def as_version_to_string(ver: as_version) -> str:
    """as_version_to_string(): "major.minor.patch.build"."""
    buffer = ffi.new("char[]", 64)
    lib.as_version_to_string(_version(ver, "ver"), buffer, len(buffer))
    return ffi.string(buffer).decode()


def as_version_compare(ver1: as_version, ver2: as_version) -> int:
    """as_version_compare(): negative, 0 or positive as ver1 is older, equal or newer."""
    return int(lib.as_version_compare(_version(ver1, "ver1"), _version(ver2, "ver2")))


def _constant(c_version: Any) -> as_version:
    return as_version(c_version.major, c_version.minor, c_version.patch, c_version.build)


as_server_version_8_1 = _constant(lib.as_server_version_8_1)
as_server_version_8_1_1 = _constant(lib.as_server_version_8_1_1)
as_server_version_8_2_0 = _constant(lib.as_server_version_8_2_0)
