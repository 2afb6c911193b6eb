"""The analytics mesh platform: discover -> manifest -> build -> audit -> publish -> map."""

__version__ = "0.1.0"
