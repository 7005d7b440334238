"""chatmod: the Lambda runtime shared by every chatmod function."""

__version__ = "0.1.0"
