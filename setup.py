"""Build hook only: the extension comes from build_ffi.py; metadata lives in pyproject.toml."""
from setuptools import setup

setup(cffi_modules=["build_ffi.py:ffibuilder"])
