"""Support on request: hulpvragen to the region's adviser or OCW account manager, collegial visitation,
and the knowledge base in the browser (search, local entries with review, "helpful" marks).

``models`` holds the records, ``access`` who may see and change them, ``uploads`` the attachment checks,
``kennis`` the knowledge base with the workspace's own entries; pages in ``views``, the API in ``api``.
"""
