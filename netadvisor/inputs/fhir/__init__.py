"""FHIR R4 / mCODE bundles read as cases: bundle.py walks the bundle (bundle_to_case); one module
per resource kind maps it; codes.py holds the code systems and tables as data.
May import netadvisor.base and inputs.case only; imported only when a bundle is read.
"""
