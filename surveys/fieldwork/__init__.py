"""fieldwork"""
