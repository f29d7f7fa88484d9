"""vitrify: amorphous materials from reference data to paper figures."""

__version__ = "0.1.0"
