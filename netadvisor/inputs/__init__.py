"""Reading cases: the case model (case.py), the case format and its validation, case files
and FHIR bundles read, quick lookups from flags, the `new` wizard, case files written.
May import netadvisor.base only: nothing here knows the guideline or the engine.
"""
