"""What netadvisor knows, read from the data files under guidelines/: the frozen models (models.py,
evidence.py), a spec and builder per data file (*_file.py), conditions, the parse cache, the library
and its version choice (library.py), lint and explain. May import netadvisor.base only.
"""
