"""The demo archive (``manage.py load_demo``) and the one media maker, :mod:`demo.mediamaker`.

Not part of the shipped package: only the dev and test settings install this app.
"""
