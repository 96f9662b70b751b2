"""A toolkit that turns media files into web- and phone-ready derivatives.

It knows files and programs, nothing of the archive: no Django models, no imports from
``archive`` or ``search``. ``sniff`` says what a file really is, ``probe`` reads its technical
metadata within limits, ``specs`` lists the renditions as data, ``steps`` makes them from a
local path into a work folder and says which files it made, ``tiles`` makes the IIIF tile zip
and pyramid. Every external program is called with an argument list, never through a shell.
The archive's ``assets`` app stores originals and records what these steps make.
"""
