"""Wrappers around external programs: each module runs one program, probes its version and maps its failures."""
