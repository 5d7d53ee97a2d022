"""`netadvisor advise CASE`: the main job; or a quick lookup from fact flags (netadvisor/inputs/lookup.py)."""

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..base import vocab
from ..base.errors import UsageError
from . import _complete as complete
from ._app import Guideline, NoColor, Width, app, formats, guarded
from ._run import date_option
from ._quick import show

Format = formats("advise")

FACTS = "Case facts (a quick lookup instead of CASE)"


def _fact(option: str, help: str, metavar: str = "WORD", choices=None, **kw):
    """A fact flag: listed in its own help panel, its words offered by shell completion."""
    return typer.Option(
        option, metavar=metavar, help=help, rich_help_panel=FACTS, show_default=False,
        autocompletion=complete.words(*choices) if choices else kw.pop("autocompletion", None), **kw,
    )


EXPORTS = (".html", ".svg", ".md")


def write_report(result, path: Path) -> None:
    """The report for --export, by the file's suffix, written atomically."""
    from datetime import datetime, timezone

    from ..base.escape import terminal
    from ..base.files import write_text

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    suffix = path.suffix.lower()
    if suffix == ".html":
        from ..formats import as_html

        text = as_html.render(result, stamp)
    elif suffix == ".svg":
        from ..formats import as_svg

        text = as_svg.render(result, stamp)
    else:
        from ..formats import as_markdown

        text = as_markdown.render(result, report=True, generated_at=stamp)
    write_text(path, text, "--export")
    typer.echo(f"wrote {terminal(str(path))}", err=True)


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor advise cases/seed-patient-1.yaml\n\n"
        "  netadvisor advise cases/seed-patient-2.yaml --format json\n\n"
        "  netadvisor advise case.yaml --as-of 2024-06-01 --show-excluded\n\n"
        "  netadvisor advise cases/seed-patient-1.yaml --evidence --export report.html\n\n"
        "  netadvisor advise cases/v3-thymus-after-ssa.yaml --compare\n\n"
        "  netadvisor advise --site pancreas --grade 2 --ki67 8 --sstr positive --stage metastatic "
        "--metastases liver --status progressing --prior lanreotide@2022-03..2024-09:progression\n\n"
        "  netadvisor advise --site ileum --grade 1 --ki67 2 --sstr positive --stage metastatic --metastases liver "
        "--burden low --asymptomatic --status new-diagnosis --no-prior\n\n"
        "  netadvisor advise --site ileum --sstr positive --prior 'Afinitor@2024-07..2024-08:toxicity:pneumonitis:3' "
        "--save my-patient.yaml\n\n"
        "--prior LINE, once per treatment line, oldest first: THERAPY:STOPPED:EVENT:GRADE@START..END, where all but "
        "THERAPY may be left out (lanreotide, lanreotide:progression, everolimus:toxicity:pneumonitis:3:stomatitis:2, "
        "octreotide-lar@2018..2019-07:progression, diazoxide@2024:ongoing, resection@..2016). Errors name the flag: "
        "--prior[2] is the second --prior."
    )
)
def advise(
    ctx: typer.Context,
    case: Annotated[
        Optional[Path], typer.Argument(metavar="[CASE]", help="Case file (.yaml, .yml or .json), - for standard input; or give the facts as flags.", show_default=False)
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    as_of: Annotated[
        Optional[str], typer.Option("--as-of", metavar="DATE", help="Decide as of this date (YYYY-MM-DD) instead of the case's as_of.")
    ] = None,
    guideline: Guideline = None,
    show_excluded: Annotated[bool, typer.Option("--show-excluded", "-x", help="List every excluded therapy with its reasons.")] = False,
    width: Width = None,
    no_color: NoColor = False,
    evidence: Annotated[bool, typer.Option("--evidence", "-e", help="Add the evidence chart: primary endpoint on treatment vs control, with HR.")] = False,
    export: Annotated[
        Optional[Path],
        typer.Option("--export", metavar="FILE", help="Also write a self-contained report: FILE.html, FILE.svg or FILE.md."),
    ] = None,
    details: Annotated[
        bool, typer.Option("--details", "-d", help="Each candidate's reasons, toxicities and cautions in full (and history notes).")
    ] = False,
    brief: Annotated[bool, typer.Option("--brief", "-b", help="One screen: the case, warnings and ranked candidates only.")] = False,
    compare: Annotated[
        bool, typer.Option("--compare", help="Set every other guideline body in force on the case's date beside the chosen one.")
    ] = False,
    site: Annotated[Optional[str], _fact("--site", "Primary site (the only required fact).", choices=vocab.SITES)] = None,
    grade: Annotated[Optional[str], _fact("--grade", "WHO grade: 1, 2 or 3.", "N")] = None,
    ki67: Annotated[Optional[str], _fact("--ki67", "Ki-67 percent: 8, 4-6 or '<1'.", "PCT")] = None,
    differentiation: Annotated[Optional[str], _fact("--differentiation", "well | poor.", choices=vocab.DIFFERENTIATION)] = None,
    histology: Annotated[Optional[str], _fact("--histology", "Lung/thymus: typical-carcinoid | atypical-carcinoid.", choices=vocab.HISTOLOGY)] = None,
    stage: Annotated[Optional[str], _fact("--stage", "localized | regional | locally-advanced | metastatic.", choices=vocab.STAGES)] = None,
    resectable: Annotated[Optional[bool], _fact("--resectable/--unresectable", "Whether the tumour is resectable.", "")] = None,
    functional: Annotated[Optional[List[str]], _fact("--functional", "nonfunctional or a hormone syndrome (repeatable).", choices=vocab.FUNCTIONAL)] = None,
    sstr: Annotated[Optional[str], _fact("--sstr", "SSTR status: positive | negative | unknown.", choices=vocab.SSTR)] = None,
    sstr_uptake: Annotated[Optional[str], _fact("--sstr-uptake", "strong | moderate | weak | heterogeneous.", choices=vocab.SSTR_UPTAKE)] = None,
    metastases: Annotated[Optional[List[str]], _fact("--metastases", "Metastatic site (repeatable).", choices=vocab.METASTASES)] = None,
    burden: Annotated[Optional[str], _fact("--burden", "Tumour burden (NCCN): low | clinically-significant.", choices=vocab.BURDEN)] = None,
    bulky: Annotated[Optional[bool], _fact("--bulky/--no-bulky", "Large tumour burden needing a rapid response.", "")] = None,
    symptomatic: Annotated[Optional[bool], _fact("--symptomatic/--asymptomatic", "Tumour-related symptoms.", "")] = None,
    msi: Annotated[Optional[str], _fact("--msi", "MSI status: high (dMMR) | stable | unknown.", choices=vocab.MSI)] = None,
    tmb: Annotated[Optional[str], _fact("--tmb", "Tumour mutational burden: mutations/Mb, or high | low.", "N|WORD")] = None,
    fdg: Annotated[Optional[str], _fact("--fdg", "FDG-PET avidity: positive | negative.", choices=vocab.FDG)] = None,
    braf: Annotated[Optional[str], _fact("--braf", "BRAF: v600e | wild-type | unknown.", choices=vocab.BRAF)] = None,
    ntrk: Annotated[Optional[str], _fact("--ntrk", "NTRK gene fusion: fusion | negative | unknown.", choices=vocab.FUSION)] = None,
    ret: Annotated[Optional[str], _fact("--ret", "RET gene fusion: fusion | negative | unknown.", choices=vocab.FUSION)] = None,
    germline: Annotated[Optional[List[str]], _fact("--germline", "Germline syndrome (repeatable).", choices=vocab.GERMLINE)] = None,
    status: Annotated[Optional[str], _fact("--status", "Disease status: progressing | stable | new-diagnosis.", choices=vocab.DISEASE_STATUS)] = None,
    prior: Annotated[
        Optional[List[str]],
        _fact("--prior", "A treatment line (repeatable, oldest first): THERAPY:STOPPED:EVENT:GRADE@START..END; see below.",
              "LINE", autocompletion=complete.prior),
    ] = None,
    no_prior: Annotated[bool, _fact("--no-prior", "No prior treatment (a stated empty history; without it the history is unknown).", "")] = False,
    age: Annotated[Optional[str], _fact("--age", "Age in years.", "N")] = None,
    sex: Annotated[Optional[str], _fact("--sex", "female | male | other.", choices=vocab.SEX)] = None,
    ecog: Annotated[Optional[str], _fact("--ecog", "ECOG performance status 0-4.", "N")] = None,
    crcl: Annotated[Optional[str], _fact("--crcl", "Creatinine clearance, mL/min.", "N")] = None,
    egfr: Annotated[Optional[str], _fact("--egfr", "eGFR, mL/min/1.73m2.", "N")] = None,
    comorbidity: Annotated[Optional[List[str]], _fact("--comorbidity", "Comorbidity (repeatable).", choices=vocab.COMORBIDITIES)] = None,
    pregnant: Annotated[Optional[bool], _fact("--pregnant/--not-pregnant", "Pregnancy.", "")] = None,
    avoid: Annotated[Optional[List[str]], _fact("--avoid", "The patient wishes to avoid (repeatable).", choices=vocab.AVOID)] = None,
    trial_access: Annotated[Optional[bool], _fact("--trial-access/--no-trial-access", "Access to clinical trials.", "")] = None,
    case_id: Annotated[Optional[str], _fact("--id", "Case id shown in the output (default: lookup, or the --save file's name).", "NAME")] = None,
    save: Annotated[Optional[Path], _fact("--save", "Also write the lookup as a case file.", "FILE")] = None,
    force: Annotated[bool, _fact("--force", "Let --save replace an existing file.", "")] = False,
):
    """Advise on one case: candidate next-line therapies, exclusions and cautions, with sources.

    The case is a file, or the facts given as flags (a quick lookup).
    """
    with guarded():
        if brief and details:
            raise UsageError("give --brief or --details, not both")
        if export is not None and export.suffix.lower() not in EXPORTS:
            raise UsageError(f"--export: '{export.name}' must end in .html, .svg or .md")
        facts = ["/".join(p.opts + p.secondary_opts) for p in ctx.command.params if p.rich_help_panel == FACTS and ctx.get_parameter_source(p.name).name != "DEFAULT"]
        if case is not None and facts:
            raise UsageError(f"give either a CASE file or fact flags, not both (got a CASE and {', '.join(facts)})")
        if case is None:
            if not facts:
                raise UsageError("give a CASE file, or describe the case with flags (at least --site); see `netadvisor advise --help`")
            from ..core import advise_flags

            result = advise_flags(ctx.params, guideline=guideline, save=save, force=force, compare=compare)
        else:
            from ..core import advise_file

            result = advise_file(case, guideline=guideline, as_of=date_option(as_of), compare=compare)
        if export is not None:
            write_report(result, export)
        show(result, format.value, width, no_color, show_excluded, evidence, details, brief)
