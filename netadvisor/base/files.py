"""Writing files: every file netadvisor writes goes through `atomic_write`.

The text goes to a temporary file in the target's folder, under an unpredictable
name opened exclusively (O_EXCL: never through a link someone planted), is
flushed to disk (fsync) and renamed onto the target. The target therefore holds
its old content or the whole new one, whatever happens on the way (a full disk,
Ctrl-C, SIGTERM, kill -9). The new file keeps the mode (and, where allowed, the
owner) of the file it replaces, and a new one gets the usual mode under the
umask; a target that is a symbolic link is written through to the file it points
at; the temporary name stays within NAME_MAX whatever the target's name.

What goes wrong is the user's environment, not a bug: no such folder, a folder
at the path, no permission, a read-only or full disk. It is raised as a
UsageError (exit 2) naming the option, the path and the system's reason, and as
early as possible: entering `atomic_write` already creates the temporary file,
so a command that opens its output before the run fails before any work.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from .errors import UsageError

NAME_MAX = 255  # bytes in one file name on the usual file systems
_TAG_BYTES = 6  # random bytes in a temporary name: 12 hex digits


def same_file(a, b) -> bool:
    """Whether two paths name one file (through links, hard links included)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temporary_name(name: str) -> str:
    """'.{name}.{random}.tmp', the name shortened to keep the whole within NAME_MAX bytes."""
    tag = os.urandom(_TAG_BYTES).hex()
    room = NAME_MAX - len(f"..{tag}.tmp")
    while len(os.fsencode(name)) > room:
        name = name[:-1]
    return f".{name}.{tag}.tmp"


class atomic_write:
    """`with atomic_write(path, "--out") as out: out.write(text)`: all of the text, or no change.

    replace=False refuses to replace an existing file (the caller's --force is
    missing): checked on entry, and again atomically at the end (a hard link
    never replaces anything). mode: the new file's mode (the parse cache: 0o600);
    by default that of the file replaced, or the umask's. follow_links=False
    replaces a link instead of writing through it (the parse cache's entries).
    """

    def __init__(self, path, label: str, *, replace: bool = True, mode: int | None = None, newline: str | None = None,
                 follow_links: bool = True):
        self.path, self.label, self.replace, self.mode, self.newline = Path(path), label, replace, mode, newline
        self.follow_links = follow_links
        self.handle = None
        self.tmp: str | None = None

    def error(self, exc: OSError, path=None) -> UsageError:
        reason = exc.strerror or str(exc)
        return UsageError(f"{self.label}: cannot write {path or self.path}: {reason}")

    def __enter__(self) -> "atomic_write":
        path = self.path
        if self.follow_links and os.path.islink(path):  # write through a link to its target
            path = Path(os.path.realpath(path))
        self.target = path
        try:
            info = os.stat(path) if self.follow_links else os.lstat(path)
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise self.error(exc) from None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{self.label}: {self.path} is a folder; give a file name")
        if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISLNK(info.st_mode):
            raise UsageError(f"{self.label}: {self.path} is not a regular file; give a file name")
        if info is not None and not self.replace:
            raise UsageError(f"{self.label}: {self.path} already exists; add --force to replace it")
        folder = path.parent
        self.tmp = os.path.join(folder, _temporary_name(path.name))
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.tmp, flags, 0o600)
        except FileNotFoundError:
            self.tmp = None
            raise UsageError(f"{self.label}: cannot write {self.path}: the folder {folder} does not exist") from None
        except OSError as exc:
            self.tmp = None
            raise self.error(exc) from None
        try:
            keep = info is not None and stat.S_ISREG(info.st_mode)
            mode = self.mode if self.mode is not None else stat.S_IMODE(info.st_mode) if keep else 0o666 & ~_umask()
            os.fchmod(fd, mode)
            if keep and hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                try:
                    os.fchown(fd, info.st_uid, info.st_gid)
                except OSError:  # only root may give a file away; the mode is kept all the same
                    pass
            self.handle = open(fd, "w", encoding="utf-8", newline=self.newline)
        except BaseException:
            os.close(fd)
            self._discard()
            raise
        return self

    def write(self, text: str) -> None:
        try:
            self.handle.write(text)
        except OSError as exc:  # a full disk, a quota, an I/O error
            raise self.error(exc) from None

    def write_bytes(self, data: bytes) -> None:
        """Text already encoded as UTF-8, beneath the text layer: flush() before the first."""
        try:
            self.handle.buffer.write(data)
        except OSError as exc:
            raise self.error(exc) from None

    def flush(self) -> None:
        try:
            self.handle.flush()
        except OSError as exc:
            raise self.error(exc) from None

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self._discard()
            return
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            if self.replace:
                os.replace(self.tmp, self.target)
            else:
                self._link()
        except UsageError:
            self._discard()
            raise
        except OSError as exc:
            self._discard()
            raise self.error(exc) from None
        except BaseException:
            self._discard()
            raise
        self.tmp = None
        _sync_folder(self.target.parent)

    def _link(self) -> None:
        """Put the file in place only if nothing is there yet (a hard link never replaces)."""
        try:
            os.link(self.tmp, self.target)
        except FileExistsError:
            raise UsageError(f"{self.label}: {self.path} already exists; add --force to replace it") from None
        except OSError:  # a file system without hard links: check, then rename
            if os.path.lexists(self.target):
                raise UsageError(f"{self.label}: {self.path} already exists; add --force to replace it") from None
            os.replace(self.tmp, self.target)
            return
        os.unlink(self.tmp)

    def _discard(self) -> None:
        if self.handle is not None and not self.handle.closed:
            try:
                self.handle.close()
            except OSError:
                pass
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


class BytesHandle:
    """Writes bytes to a text handle (an atomic_write, standard output): text that is UTF-8 already
    (orjson's JSON Lines) goes beneath its text layer, flushed first, with no decoding and encoding
    again; to a stream of another encoding (PYTHONIOENCODING=ascii) it goes as text, so its escapes apply."""

    def __init__(self, out):
        out.flush()
        if hasattr(out, "write_bytes"):  # atomic_write
            self.write = out.write_bytes
        elif hasattr(out, "buffer") and codecs.lookup(out.encoding).name == "utf-8":
            self.write = out.buffer.write
        else:
            decode = codecs.getincrementaldecoder("utf-8")().decode  # a chunk may end inside a character
            self.write = lambda data: out.write(decode(data))


def _sync_folder(folder: Path) -> None:
    """The rename itself reaches the disk (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text(path, text: str, label: str, **options) -> None:
    """The whole text at path, atomically (see atomic_write for the options)."""
    with atomic_write(path, label, **options) as out:
        out.write(text)
