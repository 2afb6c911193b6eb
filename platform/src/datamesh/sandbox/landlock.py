"""Linux Landlock through raw syscalls: read everywhere, write only beneath given folders.

A ruleset is built in the parent (opening the folders, which may fail with a clear error) and
only *applied* in the child between fork and exec, where nothing may be imported or loaded:
``restrict_self`` calls two function pointers resolved when this module was imported.

Landlock is path based and stacks on DAC, so it binds root too (CI runs as root, which is why
file modes or separate users would not be a wall here). Rights a kernel does not know are left
out by ABI version: REFER from 2, TRUNCATE from 3, IOCTL_DEV from 5.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterable
from pathlib import Path

# syscall numbers are the same on every architecture (asm-generic and x86_64 alike)
_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2: link/rename across folders
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5

READ_ONLY = EXECUTE | READ_FILE | READ_DIR


def handled_rights(abi: int) -> int:
    """Every filesystem right this ABI knows: all of them are denied unless a rule grants them."""
    rights = (1 << 13) - 1  # ABI 1: EXECUTE .. MAKE_SYM
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]  # the ABI 1 size: valid on every ABI


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # __attribute__((packed)) in linux/landlock.h
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _load_libc() -> tuple[object | None, object | None]:
    if sys.platform != "linux":
        return None, None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        return libc.syscall, libc.prctl
    except (OSError, AttributeError):
        return None, None


_SYSCALL, _PRCTL = _load_libc()
_long = ctypes.c_long  # syscall(2) is variadic: pass every integer as a full long


class LandlockUnavailable(OSError):
    """This kernel (or OS) cannot enforce a Landlock ruleset."""


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is missing or disabled."""
    if _SYSCALL is None:
        return 0
    version = _SYSCALL(_long(_SYS_CREATE_RULESET), None, _long(0), _long(_CREATE_RULESET_VERSION))
    return max(int(version), 0)


class WriteOnlyHere:
    """A ruleset: read and execute anything, write only beneath ``writable`` folders."""

    def __init__(self, writable: Iterable[Path]) -> None:
        self.abi = abi_version()
        if self.abi < 1:
            raise LandlockUnavailable(
                "Landlock is not available on this kernel (needs Linux 5.13+ with "
                "CONFIG_SECURITY_LANDLOCK and 'landlock' in the lsm= boot list)"
            )
        self.writable = [Path(p).resolve() for p in writable]
        handled = handled_rights(self.abi)
        attr = _RulesetAttr(handled)
        fd = _SYSCALL(
            _long(_SYS_CREATE_RULESET), ctypes.byref(attr), _long(ctypes.sizeof(attr)), _long(0)
        )
        if fd < 0:
            raise LandlockUnavailable(_errno_text("landlock_create_ruleset"))
        self.fd: int | None = int(fd)
        try:
            self._allow(Path("/"), READ_ONLY)
            for folder in self.writable:
                self._allow(folder, handled)
        except BaseException:
            self.close()
            raise

    def _allow(self, folder: Path, rights: int) -> None:
        path_fd = os.open(folder, os.O_PATH | os.O_CLOEXEC | os.O_DIRECTORY)
        try:
            rule = _PathBeneathAttr(rights, path_fd)
            done = _SYSCALL(
                _long(_SYS_ADD_RULE), _long(self.fd), _long(_RULE_PATH_BENEATH),
                ctypes.byref(rule), _long(0),
            )  # fmt: skip
            if done != 0:
                raise LandlockUnavailable(_errno_text(f"landlock_add_rule({folder})"))
        finally:
            os.close(path_fd)

    def restrict_self(self) -> None:
        """Apply the ruleset to the calling thread and everything it starts (irreversible).

        Safe between fork and exec: no import, no allocation beyond ctypes' own call.
        """
        if _PRCTL(_PR_SET_NO_NEW_PRIVS, _long(1), _long(0), _long(0), _long(0)) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if _SYSCALL(_long(_SYS_RESTRICT_SELF), _long(self.fd), _long(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> WriteOnlyHere:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _errno_text(call: str) -> str:
    errno = ctypes.get_errno()
    return f"{call} failed: {os.strerror(errno)} (errno {errno})"
