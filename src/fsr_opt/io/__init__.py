"""The one family of modules that touches the file system: inputs in, outputs out."""
