"""The regional report (HTML and PDF) with maps and charts."""
