"""Scenarios in the workspace: a board's own plans, their versions and results, sharing at a level the board sets.

``models`` holds the records, ``access`` who may see and change them; the pages, API and tasks build on both.
"""
