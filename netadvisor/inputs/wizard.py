"""`netadvisor new`: write a case file by answering questions.

Each answer is checked as it is typed by the case-file validator itself: it is
put into the draft case, the draft is parsed, and a problem at that answer's
field ("'pancreass' is not one of ... (did you mean 'pancreas'?)", "2024-03 is
before the start 2024-09") is shown and the question asked again. An empty
answer leaves the fact unknown. On a terminal, readline edits the line and TAB
completes words and therapy names; answers may also be piped on stdin.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from functools import reduce
from pathlib import Path

from rich.panel import Panel
from rich.prompt import Confirm, Prompt
from rich.text import Text

from ..base import vocab
from ..base.errors import InputError, UsageError
from ..base.fields import format_path, join_path
from . import case_writer
from .case import Case
from .case_format import parse_case
from .lookup import from_text

YES, NO = ("y", "yes", "true"), ("n", "no", "false")


class EndOfInput(Exception):
    """Stdin ended before the case was finished."""


def _interactive() -> bool:
    return sys.stdin.isatty()


def _read(console, prompt: Text) -> str:
    """One line from the user; readline owns the prompt on a terminal so it can redraw it."""
    try:
        if not _interactive():
            answer = console.input(prompt)
            console.print(answer, markup=False, highlight=False)  # piped answers: keep the transcript legible
            return answer
        with console.capture() as capture:
            console.print(prompt, end="")
        # readline must know which prompt characters are invisible (colour codes), or
        # the cursor drifts when it redraws the line (long answers, TAB listings).
        return input(re.sub(r"(\x1b\[[0-9;]*m)", "\001\\1\002", capture.get()))
    except (EOFError, KeyboardInterrupt) as exc:
        console.print()  # end the half-typed line before the notice that follows
        if isinstance(exc, EOFError):
            raise EndOfInput from None
        raise


class _Input:
    """rich's prompts, reading through _read."""

    @classmethod
    def get_input(cls, console, prompt, password, stream=None) -> str:
        return _read(console, prompt)


class _Prompt(_Input, Prompt):
    pass


class _Confirm(_Input, Confirm):
    pass


def _completions(words) -> None:
    """TAB completion for the next answer (terminals with readline only)."""
    if not _interactive():
        return
    try:
        import readline
    except ImportError:  # pragma: no cover - Python builds without readline
        return
    words = sorted(set(words))
    # Single answers may hold spaces (Sandostatin LAR); list answers complete each item.
    readline.set_completer_delims(",")
    readline.parse_and_bind("bind ^I rl_complete" if "libedit" in (readline.__doc__ or "") else "tab: complete")

    def complete(text: str, state: int):
        lead = text[: len(text) - len(text.lstrip())]
        matches = [lead + w for w in words if w.lower().startswith(text.lstrip().lower())]
        return matches[state] if state < len(matches) else None

    readline.set_completer(complete)


def _key(path: tuple) -> str:
    """('history', 0, 'end') -> 'history[0].end', as problems name fields."""
    return format_path(reduce(join_path, path, ""))


def _hint(words, limit: int = 48) -> str:
    """The first few words, so the question and its answer fit on one line; TAB lists all."""
    shown: list = []
    for word in words:
        if len(", ".join(shown + [word])) > limit:
            return ", ".join(shown) + ", …"
        shown.append(word)
    return ", ".join(shown)


class Wizard:
    def __init__(self, console, library, today: date | None = None):
        self.console = console
        self.therapy = library.catalogue.therapy_spec()
        therapies = library.catalogue.therapies.values()
        self.therapy_names = [t.id for t in therapies] + [t.name for t in therapies] + [a for t in therapies for a in t.aliases]
        self.today = today or date.today()
        self.draft: dict = {}

    # -- the draft ---------------------------------------------------------------

    def _place(self, path: tuple):
        place = self.draft
        for part in path[:-1]:
            place = place[part] if isinstance(part, int) else place.setdefault(part, {})
        return place

    def _check(self, path: tuple):
        """(problems with the answer at path, its value as read) with the draft as it stands.

        A history line's problems count for each of its answers: 'ongoing' after an end date
        is reported at the end date, but it is the stop reason just typed that conflicts.
        """
        scope = _key(path[:2] if path[0] == "history" and len(path) > 2 else path)
        try:
            case = self.parse()
        except InputError as exc:
            return [p.message for p in exc.problems if p.path == scope or p.path.startswith((scope + ".", scope + "["))], None
        value = case.data
        for part in path:
            value = value[part]
        return [], value

    def parse(self) -> Case:
        return parse_case(self.draft, source="answers", therapy=self.therapy, default_id="new-case", today=self.today)

    # -- questions ---------------------------------------------------------------

    def _prompt(self, question: str, hint: str, words=(), default: str = "") -> str:
        _completions(words)
        hint = "; ".join(filter(None, (hint, default and f"Enter for {default}")))
        prompt = Text.assemble(("  " + question, "bold"), (f" ({hint})" if hint else "", "dim"))
        return _Prompt.ask(prompt, console=self.console, default=default or ..., show_default=False).strip()

    def _error(self, message: str) -> None:
        self.console.print(f"    ✗ {message}", style="red", markup=False)

    def ask(self, path: tuple, question: str, kind: str = "word", words=(), hint: str | None = None, default: str = ""):
        """Ask until the answer is valid at path, and return it as read (canonical words and ids).

        An empty answer leaves the field out: unknown.
        """
        while True:
            text = self._prompt(question, _hint(words) if hint is None else hint, words, default)
            place = self._place(path)
            if not text:
                place.pop(path[-1], None)
                return None
            value = self._value(kind, text)
            if value is None:
                self._error("answer yes or no (Enter if not known)")
                continue
            place[path[-1]] = value
            problems, checked = self._check(path)
            if not problems:
                return value if checked is None else checked  # None: the draft is not whole yet (no site)
            for message in problems:
                self._error(message)
            place.pop(path[-1], None)

    def yes_no(self, question: str) -> bool | None:
        """A question that is not itself a case field; Enter: not known."""
        while True:
            text = self._prompt(question, "yes/no; Enter if not known")
            value = self._value("bool", text) if text else None
            if value is not None or not text:
                return value
            self._error("answer yes or no (Enter if not known)")

    @staticmethod
    def _value(kind: str, text: str):
        if kind == "bool":
            word = text.lower()
            return True if word in YES else False if word in NO else None
        return from_text(kind, text)

    def section(self, title: str) -> None:
        self.console.print(Text(title, style="bold underline"))

    # -- the interview -----------------------------------------------------------

    def run(self, default_id: str) -> Case:
        self.console.print(
            Panel(
                "A new case, one question at a time. Enter skips a question: the fact stays unknown, and "
                "unknown is never read as favourable. TAB completes words and therapy names; Ctrl-C quits "
                "without writing anything.",
                title="netadvisor new",
                title_align="left",
            )
        )
        self.section("Case")
        self.ask(("id",), "Case id", "text", hint="", default=default_id)
        self.ask(("as_of",), "Decision date", "text", hint="YYYY-MM-DD", default=self.today.isoformat())
        self.tumour()
        self.history()
        self.patient()
        self.section("Preferences")
        self.ask(("preferences", "avoid"), "Wishes to avoid, comma-separated", "words", vocab.AVOID)
        self.ask(("preferences", "clinical_trial_access"), "Access to clinical trials?", "bool", hint="yes/no")
        for section in ("patient", "disease", "preferences"):  # no answers in a section: leave it out
            if self.draft.get(section) == {}:
                del self.draft[section]
        return self.parse()

    def tumour(self) -> None:
        self.section("Tumour")
        t = ("tumor",)
        site = None
        while not site:
            site = self.ask(t + ("primary_site",), "Primary site", words=vocab.SITES + tuple(vocab.SITE_ALIASES),
                            hint="required; " + _hint(vocab.SITES))
        self.ask(t + ("differentiation",), "Differentiation", words=vocab.DIFFERENTIATION)
        if site in ("lung", "thymus"):
            self.ask(t + ("histology",), "Histology", words=vocab.HISTOLOGY)
        self.ask(t + ("grade",), "WHO grade", "number", hint="1, 2 or 3")
        self.ask(t + ("ki67",), "Ki-67 %", "percent", hint="5, 4-6 or <1")
        if self.ask(t + ("stage",), "Stage", words=vocab.STAGES) in (None, "metastatic"):
            self.ask(t + ("metastases",), "Metastatic sites, comma-separated", "words", vocab.METASTASES)
        self.ask(t + ("functional",), "Functional status, comma-separated", "words", vocab.FUNCTIONAL)
        if self.ask(t + ("sstr",), "SSTR status", words=vocab.SSTR) == "positive":
            self.draft["tumor"]["sstr"] = {"status": "positive"}  # the long form holds the uptake
            if not self.ask(t + ("sstr", "uptake"), "SSTR uptake", words=vocab.SSTR_UPTAKE):
                self.draft["tumor"]["sstr"] = "positive"
        if not self.ask(t + ("bulky",), "Bulky disease needing a rapid response?", "bool", hint="yes/no"):
            # bulky is a clinically significant burden; otherwise NCCN's word decides the algorithm's step
            self.ask(t + ("burden",), "Tumour burden", words=vocab.BURDEN, hint="low or clinically-significant (NCCN)")
        self.ask(t + ("symptomatic",), "Tumour-related symptoms?", "bool", hint="yes/no")
        self.ask(t + ("resectable",), "Resectable?", "bool", hint="yes/no")
        self.ask(t + ("biomarkers", "msi"), "MSI", words=vocab.MSI, hint="high (dMMR), stable, unknown")
        self.ask(t + ("biomarkers", "tmb"), "TMB", "number", hint="mutations/Mb, or high/low")
        if self.draft["tumor"].get("biomarkers") == {}:
            del self.draft["tumor"]["biomarkers"]
        self.ask(t + ("germline",), "Germline syndromes, comma-separated", "words", vocab.GERMLINE)
        self.ask(("disease", "status"), "Disease status", words=vocab.DISEASE_STATUS)

    def history(self) -> None:
        self.section("Treatment history, oldest first")
        treated = self.yes_no("Any prior or current treatment?")
        if treated is None:
            return  # not stated: unknown, which is not the same as none
        lines = self.draft["history"] = []
        while treated:
            i = len(lines)
            lines.append({})
            line = ("history", i)
            if not self.ask(line + ("therapy",), f"Line {i + 1}: therapy", "text", self.therapy_names,
                            hint="id, name or brand" + ("; Enter when done" if i else "")):
                lines.pop()
                treated = not lines  # the first line is required after a yes
                continue
            self.ask(line + ("start",), "Started", "text", hint="YYYY, YYYY-MM or YYYY-MM-DD")
            self.ask(line + ("end",), "Ended", "text", hint="Enter if ongoing or not known")
            self.ask(line + ("stopped",), "Why stopped", words=vocab.STOPPED)
            events = lines[i]["toxicity"] = []
            while True:
                j = len(events)
                events.append({})
                event = line + ("toxicity", j)
                more = "; Enter for no more" if j else "; Enter for none"
                if not self.ask(event + ("event",), "Toxicity", words=vocab.TOXICITY_EVENTS,
                                hint=_hint(vocab.TOXICITY_EVENTS, 36) + more):
                    events.pop()
                    break
                self.ask(event + ("grade",), "CTCAE grade", "number", hint="1-5")
            if not events:
                del lines[i]["toxicity"]

    def patient(self) -> None:
        self.section("Patient")
        p = ("patient",)
        self.ask(p + ("age",), "Age", "number", hint="years")
        sex = self.ask(p + ("sex",), "Sex", words=vocab.SEX)
        if sex != "male":
            self.ask(p + ("pregnant",), "Pregnant?", "bool", hint="yes/no")
        self.ask(p + ("ecog",), "ECOG performance status", "number", hint="0-4")
        self.ask(p + ("creatinine_clearance",), "Creatinine clearance", "number", hint="mL/min")
        self.ask(p + ("egfr",), "eGFR", "number", hint="mL/min/1.73m2")
        self.ask(p + ("comorbidities",), "Comorbidities, comma-separated", "words", vocab.COMORBIDITIES)

    # -- writing -----------------------------------------------------------------

    def target(self, given: Path | None, case: Case) -> tuple[Path, bool]:
        """Where to write, and whether replacing an existing file was confirmed."""
        path, default = given, f"{case.id}.yaml"
        while True:
            if path is None:
                answer = self._prompt("Write the case to", "", default=default)
                path = Path(answer) if answer else None
                continue
            if not path.exists():
                return path, False
            if _Confirm.ask(Text(f"  {path} exists. Replace it?", style="bold"), console=self.console, default=False):
                return path, True
            path, default = None, ""  # not the file just refused again

    def save(self, case: Case, given: Path | None) -> Path:
        text = case_writer.dump(case, Path(f"{case.id}.yaml"), self.therapy)
        self.console.print(Panel(Text(text.rstrip()), title="The case", title_align="left"))
        path, replace = self.target(given, case)
        case_writer.write(case_writer.dump(case, path, self.therapy), path, replace, "FILE")
        self.console.print(f"Wrote {path}", style="green", markup=False)
        return path

    def offer_advice(self) -> bool:
        return _Confirm.ask(Text("  Run netadvisor advise on it now?", style="bold"), console=self.console, default=True)


def run(given: Path | None, console, library) -> Path | None:
    """`netadvisor new` up to the advice: interview, show, write, and offer the advice.

    Returns the file written when the user wants the advice on it (the command then
    runs it: advising is a layer above this one), else None.
    """
    wizard = Wizard(console, library)
    try:
        case = wizard.run(given.stem if given else "new-case")
        path = wizard.save(case, given)
    except EndOfInput:
        raise UsageError("the answers ended before the case was finished; nothing was written") from None
    try:
        advise = wizard.offer_advice()
    except EndOfInput:
        advise = False
    return path if advise else None
