"""vnfacts: traceable fact extraction from Vietnamese news pages.

    import vnfacts
    vnfacts.extract(text, published_at="2021-08-26")   # the article's tables as DataFrames
    vnfacts.read_tables("data/processed")              # a run's tables, typed for pandas
    vnfacts.run("data/raw", "data/processed")           # the whole pipeline from a script
"""

__version__ = "0.1.0"
__all__ = ["extract", "raw_span", "read_table", "read_tables", "run", "__version__"]


def __getattr__(name: str):
    # The API imports pandas and the pipeline only when used, so `vnfacts --help` starts fast.
    if name in ("extract", "raw_span", "read_table", "read_tables", "run"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'vnfacts' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
