"""netadvisor: treatment-sequencing decision support for neuroendocrine tumours.

One package per layer, imports pointing down only (tests/test_architecture.py):
  cli/        the commands: parse, call the layers below, print
  cohort/     batch, check, replay, audit and diff over many cases
  core.py     the library entry points: advise_case, advise_file, advise_flags
  formats/    renderers of advice and reports
  engine/     one case and the knowledge in, Advice out
  inputs/     the case: model, format, files, FHIR, flags, wizard
  knowledge/  the guideline data as models, with lint and explain
  base/       errors, dates, vocabulary, field specs, safe document reading
"""

__version__ = "0.1.0"
