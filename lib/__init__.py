"""The only code that touches the network, zip files, git, the browser and the disk layout."""

__version__ = "0.1.0"
