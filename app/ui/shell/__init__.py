"""The application around the panels: start, sign-in, main window, settings, sync status."""
