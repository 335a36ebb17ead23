"""vnfacts: traceable fact extraction from Vietnamese news pages."""

__version__ = "0.1.0"
