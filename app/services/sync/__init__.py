"""The central database and the workstation's encrypted local copy: sign-in, keychain, sync."""
