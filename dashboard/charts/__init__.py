"""What every page's charts share: the look (common.py: colours, the template, legends, safe text) and
point labels that keep out of each other's way (labels.py). No streamlit here.

A page's own charts live in its package (dashboard/data/charts.py, dashboard/train/charts/, …): pure
functions, data in → plotly figure out.
"""
