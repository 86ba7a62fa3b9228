"""Read side of Mind the Gap: the atlas, maps, charts, exports and plain-English text.

Nothing here imports Streamlit except :mod:`gapmap.ui`, so every query, map, chart and
sentence can be tested as a plain function.
"""
