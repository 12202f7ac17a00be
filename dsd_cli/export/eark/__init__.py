"""`dsd export --format e-ark`: the export as an E-ARK SIP (CSIP 2.2.0, SIP 2.2.0) inside the export's BagIt bag."""
