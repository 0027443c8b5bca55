"""Writes a small database in the GeoLite2/GeoIP2 City layout (MaxMind DB format 2.0) for the
enrichment tests: the record shape of MaxMind's City databases (country.iso_code, city.names.en,
location.latitude/longitude as doubles, in an IPv6 tree with IPv4 mapped), written by mmdb-writer
(MIT, PyPI), an implementation independent of the reader under test. MaxMind's own City files carry
its EULA and cannot ship with the tests.

usage: write-city-mmdb.py OUT.mmdb [RECORD_SIZE]

RECORD_SIZE (24, 28 or 32): the search tree's record size. mmdb-writer picks the smallest that
holds the tree (24 for this one); a larger one still holds it and is what bigger databases (MaxMind's
City files use 28) are written with, so the reader's three layouts can all be tested.
"""
import sys

import mmdb_writer
from mmdb_writer import MMDBWriter
from netaddr import IPSet

if len(sys.argv) > 2:
    forced = int(sys.argv[2])
    assert forced in (24, 28, 32), forced
    original = mmdb_writer.TreeWriter._adjust_record_size

    def adjust(self):
        original(self)
        assert self.record_size <= forced
        self.record_size = forced
        self.data_offset = self.record_size * 2 / 8 * self._node_counter

    mmdb_writer.TreeWriter._adjust_record_size = adjust

# (network, country ISO code, country name, city, latitude, longitude)
CITIES = [
    ("81.2.69.0/24", "GB", "United Kingdom", "London", 51.5142, -0.0931),
    ("193.99.144.0/24", "DE", "Germany", "Hanover", 52.3705, 9.7332),
    ("2001:4860::/32", "US", "United States", "Mountain View", 37.4223, -122.085),
    # Neighbours and nested blocks, so that tree walks branch both ways at many depths.
    ("8.8.8.0/24", "US", "United States", "Mountain View", 37.4223, -122.085),
    ("8.8.4.0/24", "US", "United States", "Ashburn", 39.0437, -77.4875),
    ("1.1.1.0/24", "AU", "Australia", "Sydney", -33.8688, 151.2093),
    ("1.0.0.0/24", "AU", "Australia", "Brisbane", -27.4698, 153.0251),
    ("128.0.0.0/9", "FR", "France", "Paris", 48.8566, 2.3522),
    ("255.255.255.0/24", "JP", "Japan", "Tokyo", 35.6762, 139.6503),
]

CONTINENTS = {"GB": "EU", "DE": "EU", "FR": "EU", "US": "NA", "AU": "OC", "JP": "AS"}

writer = MMDBWriter(ip_version=6, database_type="GeoLite2-City", languages=["en"], description="Tributary test City database", ipv4_compatible=True)
for net, iso, country, city, lat, lon in CITIES:
    writer.insert_network(
        IPSet([net]),
        {
            "continent": {"code": CONTINENTS[iso]},
            "country": {"iso_code": iso, "names": {"en": country}},
            "city": {"names": {"en": city}},
            "location": {"latitude": lat, "longitude": lon, "accuracy_radius": 20},
        },
    )
writer.to_db_file(sys.argv[1])
