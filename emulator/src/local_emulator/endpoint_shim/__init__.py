"""Folder put on the path of emulated Glue runs: its `sitecustomize` points old botocore at the emulator."""
