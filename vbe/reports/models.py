"""The status report (nulägesrapport) and the document builders."""
