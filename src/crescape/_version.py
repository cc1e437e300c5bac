"""The one place the version is written (read by setuptools and by ``crescape.__version__``)."""
__version__ = "0.1.0"
