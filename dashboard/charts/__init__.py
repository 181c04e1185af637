"""Charts: pure functions, data in → plotly figure out. No streamlit here.

One module per area (data, build, train, evaluate, runs); import from those.
"""
