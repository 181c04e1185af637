"""Glassnet's Streamlit front end: the entry point and the glue the pages share."""
