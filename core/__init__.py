"""Glassnet engine: data, networks, training and the run store; plain Python and PyTorch, no UI."""
