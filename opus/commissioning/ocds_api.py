"""OCDS 1.1 publication: release packages and compiled records of every contracting process."""

from ninja import Router

router = Router(tags=["ocds"])
