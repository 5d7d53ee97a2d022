"""netadvisor: treatment-sequencing decision support for neuroendocrine tumours."""

__version__ = "0.1.0"
