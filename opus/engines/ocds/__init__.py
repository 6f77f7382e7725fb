"""OCDS 1.1 publication: a contracting process as releases, compiled records and packages.

A contracting process (a plan, a tender with lots, awards and contracts with their KPIs and
payments) comes in as frozen dataclasses; out come Open Contracting Data Standard 1.1
releases, one per event, dated when the event happened, with the tags of the closed
``releaseTag`` codelist:

======================  ==========================================================
planning                the plan: budget and the reasons for commissioning it
tender                  the opportunity is published (lots, periods, criteria)
tenderAmendment         the published opportunity was changed, with the rationale
tenderUpdate            the deadline passed (numberOfTenderers), or all lots decided
tenderCancellation      the opportunity was withdrawn
award                   an award decision per lot, ``pending`` until it takes effect
awardUpdate             the award took effect (standstill over, confirmed): ``active``
awardCancellation       the award was reversed, with the rationale
contract                the contract with its agreed KPIs (``agreedMetrics``)
contractUpdate          the contract was signed
implementation          a KPI return, or a payment
implementationUpdate    a KPI return fell due and was not made (milestone ``notMet``)
contractTermination     the contract ended (completed, terminated or cancelled)
======================  ==========================================================

Sealed bids: nothing that comes from a bid is in a release dated before the submission
deadline. ``numberOfTenderers`` first appears at the deadline, the tenderers' names with the
first award, and bid prices only as award values. :class:`Process` refuses an award decided
before the deadline.

Sources:

* OCDS 1.1.5 schema and codelists (https://standard.open-contracting.org/1.1/en/schema/),
  and its merging rules (…/schema/merging/): objects merge field by field, ``null`` removes
  a field, arrays of objects with ``id`` merge by ``id``, other arrays (and those marked
  ``wholeListMerge``) are replaced, and ``id``/``date``/``tag`` are omitted when merged.
* Extensions (named in every package): lots (``tender.lots``, ``relatedLot(s)``), party
  scale (``parties.details.scale``: micro, sme, large), metrics (``agreedMetrics`` and
  ``implementation.metrics`` for KPIs), other requirements
  (``tender.otherRequirements.reservedParticipation``), location (``deliveryAddresses``).
* The UK's OCDS profile for the Procurement Act 2023 (Central Digital Platform):
  ``parties.details.vcse`` and ``parties.details.publicServiceMissionOrganization`` (booleans)
  and the award's ``standstillPeriod``; Contracts Finder's ``tender.suitability``
  (``sme``, ``vcse``). The exact paths of the UK fields are **(unverified)** against the
  profile's own schema, which is not among ../shared/standards.

Units and conventions: money is integer pence in, pounds out (``amount`` a JSON number, so
123456 pence is 1234.56 GBP); datetimes must be time-zone aware and are written in UTC
(``2026-03-01T09:30:00Z``). Everything is plain data: no Django here.
"""

from opus.engines.ocds.merging import OMIT_WHEN_MERGED, WHOLE_LIST_MERGE, compile_release, record
from opus.engines.ocds.packages import (
    EXTENSIONS,
    VERSION,
    Publisher,
    dumps,
    package_head,
    record_package,
    release_package,
    write_release_package,
)
from opus.engines.ocds.process import (
    RESERVABLE,
    SCALES,
    Amendment,
    Award,
    Contract,
    Json,
    Kpi,
    KpiReturn,
    Lot,
    Party,
    Payment,
    Period,
    Planning,
    Process,
    Tender,
    check_process,
)
from opus.engines.ocds.releases import Event, events, releases
from opus.engines.ocds.sections import COUNTRY, CURRENCY, iso, org_identifier, value

__all__ = [
    "COUNTRY",
    "CURRENCY",
    "EXTENSIONS",
    "OMIT_WHEN_MERGED",
    "RESERVABLE",
    "SCALES",
    "VERSION",
    "WHOLE_LIST_MERGE",
    "Amendment",
    "Award",
    "Contract",
    "Event",
    "Json",
    "Kpi",
    "KpiReturn",
    "Lot",
    "Party",
    "Payment",
    "Period",
    "Planning",
    "Process",
    "Publisher",
    "Tender",
    "check_process",
    "compile_release",
    "dumps",
    "events",
    "iso",
    "org_identifier",
    "package_head",
    "record",
    "record_package",
    "release_package",
    "releases",
    "value",
    "write_release_package",
]
