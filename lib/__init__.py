"""The only code that touches the network, zip files, git, the browser and the disk layout."""
