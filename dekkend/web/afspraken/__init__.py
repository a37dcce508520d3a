"""The region's agreements register (afspraken): what the boards agreed, on which frozen scenario version and data.

``models`` holds the records and their status rules, ``access`` who sees, changes and answers them;
``services`` the actions pages and API share, ``tasks`` the PDF annex.
"""
