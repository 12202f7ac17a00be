"""PAdES signatures with pyHanko: keys (PKCS#12, PKCS#11, the demo key), signing, and signature inspection."""

import logging

# pyHanko logs a traceback for every untrusted certificate; dsd reports those findings itself. Set here, where
# every use of pyHanko in dsd passes, so a command that never signs or validates does not load logging for it.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
