"""Guideline and therapy data: load the YAML under guidelines/, validate it, and
build the frozen objects the engine reads; then pick the guideline a case uses.

A data folder holds typed documents, each with a top-level `kind`, and each kind
has its spec and builder in its own module:
  sources    the citation registry every other document points into (sources_file.py)
  therapies  the therapy catalogue: classes, names and aliases, labels, toxicities (therapies_file.py)
  guideline  one guideline body and version: site groups and recommendations (guideline_file.py)
  evidence   trial analyses and survival tables (evidence_file.py)
  bodies     the bodies' evidence schemes, the common strength scale, bodies not encoded (bodies_file.py)

Everything is checked on load, a guideline body when a run first uses it. A
problem is reported with the file, the item's id and the key
(`recommendations[pnet-cabozantinib].category: ...`), and stops the run with
exit code 2.
"""

import re
from datetime import date
from pathlib import Path

from ..base.dates import PartialDate, parse_full_date
from ..base.documents import DATA_MAX_BYTES, read_bytes
from ..base.errors import GuidelineError, InputError, Problem, UsageError, did_you_mean
from ..base.fields import check_limited, format_path
from ..base.memo import remember
from .evidence import Evidence
from .evidence_file import build_evidence
from .guideline_file import build_guideline
from .models import Catalogue, Knowledge
from .parse_cache import parse_cached, sha256_cached
from .sources_file import build_sources
from .therapies_file import build_catalogue


# -- reading a data folder --------------------------------------------------------------


class Unparsed:
    """A guideline document read but not yet parsed: its bytes, and its kind, id, version and dates
    as its top-level lines write them. Parsed (and validated) when a run first needs the body."""

    __slots__ = ("raw", "head")

    def __init__(self, raw: bytes, head: dict):
        self.raw, self.head = raw, head

    def get(self, key: str):
        return self.head.get(key)


def _head(raw: bytes) -> dict:
    """The top-level `kind:`, `id:`, `version:`, `effective:` and `until:` lines of a file's first 4 kB,
    as block YAML writes them."""
    head: dict = {}
    for line in raw[:4096].splitlines():
        key, colon, value = line.partition(b":")
        if colon and key in (b"kind", b"id", b"version", b"effective", b"until"):
            head.setdefault(key.decode(), value.split(b"#", 1)[0].strip().strip(b"\"'").decode("utf-8", "replace"))
    return head


class _Reader:
    """Collects documents by kind and every problem found in them.

    `lazy`: a guideline document whose top lines give its kind and id is kept unparsed until a
    run needs it (the shipped folder); otherwise every document is parsed as it is read.
    """

    def __init__(self, lazy: bool = False):
        self.documents: dict = {"sources": [], "therapies": [], "guideline": [], "evidence": [], "bodies": []}
        self.problems: list = []
        self.hashed: list = []  # what the data digest is taken over: each file's name and bytes
        self.lazy = lazy

    def add_file(self, path: Path):
        self.add_bytes(str(path), read_bytes(path, DATA_MAX_BYTES))

    def add_bytes(self, name: str, raw: bytes):
        """One document, as read from the file `name`."""
        self.hashed.append(Path(name).name.encode() + b"\0" + raw)
        if self.lazy:
            head = _head(raw)
            if head.get("kind") == "guideline" and head.get("id"):
                self.documents["guideline"].append((name, Unparsed(raw, head)))
                return
        try:
            data = parse_cached(raw, name)
        except ValueError as exc:
            self.problems.append(Problem(name, "", str(exc)))
            return
        except InputError as exc:  # not UTF-8 text
            self.problems.extend(exc.problems)
            return
        kind = data.get("kind") if isinstance(data, dict) else None
        if not isinstance(kind, str) or kind not in self.documents:
            self.problems.append(
                Problem(name, "kind", f"expected one of {', '.join(self.documents)}, got {kind!r}")
            )
            return
        self.documents[kind].append((name, data))

    def check(self, file: str, spec, data, label_items=None):
        checked, raw = check_limited(spec, data)
        for path, message in raw:
            self.problems.append(Problem(file, _name_items(format_path(path), data), message))
        return checked


def _name_items(path: str, data) -> str:
    """recommendations[3].category -> recommendations[pnet-cabozantinib].category"""

    def repl(match):
        key, index = match.group(1), int(match.group(2))
        items = data.get(key) if isinstance(data, dict) else None
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            ident = items[index].get("id") or items[index].get("therapy")
            if isinstance(ident, str):
                return f"{key}[{ident}]"
        return match.group(0)

    return re.sub(r"^(\w+)\[(\d+)\]", repl, path)


def read_folder(folder: Path, fallback: Path | None = None, lazy: bool = False) -> _Reader:
    reader = _Reader(lazy)
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    for path in files:
        reader.add_file(path)
    if fallback is not None:
        for kind in ("sources", "therapies", "evidence", "bodies"):
            if not reader.documents[kind]:
                for path in sorted(fallback.glob("*.yaml")):
                    if _kind_of(path) == kind:
                        reader.add_file(path)
    return reader


def _kind_of(path: Path) -> str | None:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("kind:"):
                return line.split(":", 1)[1].strip()
    return None


def _one(reader: _Reader, kind: str, folder: Path):
    docs = reader.documents[kind]
    if len(docs) != 1:
        where = ", ".join(f for f, _ in docs) or str(folder)
        reader.problems.append(Problem(where, "kind", f"expected exactly one '{kind}' document, found {len(docs)}"))
        return None, None
    return docs[0]


# -- the library: every guideline of a folder, and the one a case uses ---------------------


_MAX_PICKED = 4096  # dates remembered per library (a run over decades of decisions stays bounded)


class Library:
    """Every guideline in a data folder, with the shared catalogue and sources.

    The sources, catalogue and evidence are validated on load. A guideline document is
    validated and built when a run first needs it: `advise` builds only the versions of the
    guideline it uses, `--compare` and `lint` the others. A folder given with --guideline is
    validated whole on load (load_library); the shipped data by the test suite and `lint`.
    """

    def __init__(self, documents, catalogue: Catalogue, sources: dict, digest: str, folder: Path,
                 evidence: Evidence = Evidence(), files: dict | None = None, bodies_documents=()):
        self.documents = documents  # [(file, data)] of the guideline documents, unbuilt
        self.catalogue = catalogue
        self.sources = sources
        self.digest = digest
        self.folder = folder
        self.evidence = evidence
        self.files = files or {}  # document kind -> the file it came from (sources, therapies, evidence, bodies)
        self.bodies_documents = bodies_documents  # [(file, data)] of the bodies document (at most one)
        self._built: dict = {}  # index in documents -> Guideline
        self._bodies = None
        self._picked: dict = {}  # (wanted, as_of) -> Knowledge: a cohort's cases and decisions share their dates

    @property
    def bodies(self):
        """The evidence schemes, the common strength scale and the bodies not encoded (built on first use)."""
        if self._bodies is None:
            reader = _Reader()
            self._bodies = _build_bodies(reader, self.bodies_documents, list(self.sources))
            if reader.problems:
                raise GuidelineError(reader.problems)
        return self._bodies

    def scheme(self, scheme_id: str):
        """An EvidenceScheme by id (builds the bodies document)."""
        return self.bodies.schemes.get(scheme_id)

    def scheme_ids(self) -> list:
        """The evidence scheme ids of the bodies document, as written (no need to build it)."""
        data = self.bodies_documents[0][1] if self.bodies_documents else None
        schemes = data.get("schemes") if isinstance(data, dict) else None
        return [s["id"] for s in schemes if isinstance(s, dict) and isinstance(s.get("id"), str)] if isinstance(schemes, list) else []


    def _build(self, indexes) -> list:
        """The guidelines of these documents, built once each; GuidelineError lists every problem."""
        todo = [i for i in indexes if i not in self._built]
        if todo:
            reader = _Reader()
            built = {}
            for i in todo:
                file, data = self.documents[i]
                if isinstance(data, Unparsed):
                    head, data = data.head, _parse(reader, file, data.raw)
                    if isinstance(data, dict) and data.get("id") != head.get("id"):  # a head line read wrongly
                        reader.problems.append(Problem(file, "id", f"the top lines give id {head.get('id')!r}, the document {data.get('id')!r}"))
                    self.documents[i] = (file, data)
                if data is not None:
                    built[i] = build_guideline(reader, file, data, list(self.sources), self.catalogue, self)
            if reader.problems:
                raise GuidelineError(reader.problems)
            self._built.update(built)
        return [self._built[i] for i in indexes]

    @property
    def guidelines(self) -> list:
        """Every guideline of the folder (builds, and so validates, each of them)."""
        return self._build(range(len(self.documents)))

    def _raw(self, key: str) -> list:
        """A top-level value of each guideline document as written, before validation."""
        return [data.get(key) if isinstance(data, (dict, Unparsed)) else None for _, data in self.documents]

    def guidelines_with_id(self, gid: str) -> list:
        """Every version of one guideline body (building only those)."""
        return self._build([i for i, raw in enumerate(self._raw("id")) if raw == gid])

    def ids(self) -> list:
        """The guideline body ids of the folder, in file order, once each."""
        return list(dict.fromkeys(raw for raw in self._raw("id") if isinstance(raw, str)))

    def pick(self, wanted: str | None, as_of: date) -> Knowledge:
        """The guideline `wanted` (an id, or id@version), or the one in force on as_of (memoized)."""
        key = (wanted, as_of)
        found = self._picked.get(key)
        if found is None:
            found = remember(self._picked, key, self._pick(wanted, as_of), _MAX_PICKED)
        return found

    def _pick(self, wanted: str | None, as_of: date) -> Knowledge:
        warnings = []
        if wanted:
            gid, _, version = wanted.partition("@")
            indexes = [i for i, (g, v) in enumerate(zip(self._raw("id"), self._raw("version")))
                       if g == gid and (not version or str(v) == version)]
            if not indexes:
                known = sorted(set(self.ids()) | {f"{i}@{v}" for i, v in zip(self._raw("id"), self._raw("version")) if isinstance(i, str)})
                raise UsageError(f"unknown guideline '{wanted}'{did_you_mean(wanted, known)}; shipped: {', '.join(known)}")
        else:
            indexes = [i for i, g in enumerate(self._raw("id")) if g == "nccn-net"] or list(range(len(self.documents)))
        dates = self._dates(indexes)
        if dates is not None:  # the versions' top lines say which one applies: build only that one
            indexes = [_in_force(indexes, dates, as_of)]
        pool = self._build(indexes)
        if dates is not None:
            self._check_dates(indexes[0], dates[indexes[0]])
        if wanted and version:
            pool = [g for g in pool if g.version == version] or pool
        in_force = [g for g in pool if g.in_force(as_of)]
        if in_force:
            chosen = max(in_force, key=lambda g: g.effective)
        else:
            chosen = min(pool, key=lambda g: abs((g.effective - as_of).days))
            when = "a later version" if chosen.effective > as_of else "an earlier version, no longer in force"
            warnings.append(
                (
                    "guideline-not-in-force",
                    f"no shipped version of {chosen.id} was in force on {as_of}: this advice judges the case by "
                    f"{when}, {chosen.source} (effective {chosen.effective}); older versions are not encoded",
                )
            )
        return self.knowledge(chosen, tuple(warnings))

    def _dates(self, indexes: list) -> dict | None:
        """index -> (effective, until) of each version, from its top lines (or its build); None
        when one of them does not give its dates that way."""
        out = {}
        for i in indexes:
            built, data = self._built.get(i), self.documents[i][1]
            if built is not None:
                out[i] = (built.effective, built.until)
            elif isinstance(data, Unparsed) and data.get("effective"):
                try:
                    until = data.get("until")
                    out[i] = (PartialDate.parse(data.get("effective")).last_day(), parse_full_date(until) if until else None)
                except ValueError:
                    return None
            else:
                return None
        return out

    def _check_dates(self, i: int, dates: tuple):
        g = self._built[i]
        if (g.effective, g.until) != dates:  # a top line read wrongly: the document says otherwise
            raise GuidelineError([Problem(g.file, "effective", f"the top lines give {dates}, the document {(g.effective, g.until)}")])

    def knowledge(self, guideline, warnings: tuple = ()) -> Knowledge:
        """What an advice run under this guideline reads."""
        return Knowledge(guideline, self.catalogue, self.sources, self.digest, warnings, self.evidence)


def _parse(reader: _Reader, file: str, raw: bytes):
    """A document's data, or None with the problem noted."""
    try:
        return parse_cached(raw, file)
    except ValueError as exc:
        reader.problems.append(Problem(file, "", str(exc)))
    except InputError as exc:  # not UTF-8 text
        reader.problems.extend(exc.problems)
    return None


def _in_force(indexes: list, dates: dict, as_of: date) -> int:
    """Of several versions, the one in force on as_of (the latest to take effect), else the nearest."""
    in_force = [i for i in indexes if dates[i][0] <= as_of and (dates[i][1] is None or as_of < dates[i][1])]
    if in_force:
        return max(in_force, key=lambda i: dates[i][0])
    return min(indexes, key=lambda i: abs((dates[i][0] - as_of).days))


def _build_bodies(reader: _Reader, documents, source_ids):
    from .bodies import Bodies
    from .bodies_file import build_bodies

    for file, data in documents[:1]:
        return build_bodies(reader, file, data, source_ids)
    return Bodies()


_CACHE: dict = {}


def load_library(location: str | Path | None = None) -> Library:
    """Load and validate a data folder (default: the shipped one), or one guideline file."""
    shipped = shipped_dir()
    if location is None:
        folder, reader = shipped, None
    else:
        path = Path(location)
        if path.is_dir():
            folder, reader = path, read_folder(path, fallback=shipped)
        elif path.is_file():
            folder = path.parent
            reader = read_folder(shipped)
            reader.documents["guideline"] = []
            reader.add_file(path)
        else:
            raise UsageError(f"--guideline '{location}' is neither a shipped guideline id nor an existing file or folder")
    key = str(folder) if reader is None else None
    if key and key in _CACHE:
        return _CACHE[key]
    if reader is None:
        reader = read_folder(shipped, lazy=True)
    # Data the user gives is validated whole as it is read; the shipped data, a body at a time.
    library = _build(reader, folder, whole=key is None)
    if key:
        _CACHE[key] = library
    return library


def _build(reader: _Reader, folder: Path, whole: bool = True) -> Library:
    if reader.problems:
        raise GuidelineError(reader.problems)
    sfile, sdata = _one(reader, "sources", folder)
    tfile, tdata = _one(reader, "therapies", folder)
    if reader.problems:
        raise GuidelineError(reader.problems)
    sources = build_sources(reader, sfile, sdata)
    catalogue = build_catalogue(reader, tfile, tdata, list(sources))
    evidence = Evidence()
    if len(reader.documents["bodies"]) > 1:
        reader.problems.append(Problem(str(folder), "kind", "more than one 'bodies' document"))
    if catalogue is not None:
        for efile, edata in reader.documents["evidence"][:1]:
            evidence = build_evidence(reader, efile, edata, list(sources), catalogue)
        if len(reader.documents["evidence"]) > 1:
            reader.problems.append(Problem(str(folder), "kind", "more than one 'evidence' document"))
    if not reader.documents["guideline"]:
        reader.problems.append(Problem(str(folder), "", "no guideline document (kind: guideline) found"))
    files = {kind: docs[0][0] for kind, docs in reader.documents.items() if docs and kind != "guideline"}
    library = Library(reader.documents["guideline"], catalogue, sources, sha256_cached(b"".join(reader.hashed)), folder, evidence, files,
                      reader.documents["bodies"])
    if whole and catalogue is not None:
        library._bodies = _build_bodies(reader, reader.documents["bodies"], list(sources))
        for i, (gfile, gdata) in enumerate(library.documents):
            library._built[i] = build_guideline(reader, gfile, gdata, list(sources), catalogue, library)
    if reader.problems:
        raise GuidelineError(reader.problems)
    return library


def load_knowledge(guideline: str | None, as_of: date) -> Knowledge:
    """--guideline ID|PATH (or nothing) to the Knowledge an advice run uses."""
    if guideline and (Path(guideline).exists() or "/" in guideline or guideline.endswith((".yaml", ".yml"))):
        return load_library(guideline).pick(None, as_of)
    return load_library().pick(guideline, as_of)


def shipped_dir() -> Path:
    """The guideline data: inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent.parent  # netadvisor/ (this file is netadvisor/knowledge/library.py)
    for candidate in (here / "guidelines", here.parent / "guidelines"):
        if candidate.is_dir():
            return candidate
    raise GuidelineError([Problem(str(here), "", "the shipped guideline data is missing from this installation")])
