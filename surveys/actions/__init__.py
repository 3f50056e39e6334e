"""Improvement actions: create, change, step through and remind (the write side; never imports insights)."""
