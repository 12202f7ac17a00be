"""PAdES signatures with pyHanko: keys (PKCS#12, PKCS#11, the demo key), signing, and signature inspection."""
