"""Writes a small database in the GeoLite2/GeoIP2 City layout (MaxMind DB format 2.0) for the
enrichment tests: the record shape of MaxMind's City databases (country.iso_code, city.names.en,
location.latitude/longitude as doubles, in an IPv6 tree with IPv4 mapped), written by mmdb-writer
(MIT, PyPI), an implementation independent of the reader under test. MaxMind's own City files carry
its EULA and cannot ship with the tests.

usage: write-city-mmdb.py OUT.mmdb
"""
import sys

from mmdb_writer import MMDBWriter
from netaddr import IPSet

# (network, country ISO code, country name, city, latitude, longitude)
CITIES = [
    ("81.2.69.0/24", "GB", "United Kingdom", "London", 51.5142, -0.0931),
    ("193.99.144.0/24", "DE", "Germany", "Hanover", 52.3705, 9.7332),
    ("2001:4860::/32", "US", "United States", "Mountain View", 37.4223, -122.085),
]

writer = MMDBWriter(ip_version=6, database_type="GeoLite2-City", languages=["en"], description="Tributary test City database", ipv4_compatible=True)
for net, iso, country, city, lat, lon in CITIES:
    writer.insert_network(
        IPSet([net]),
        {
            "continent": {"code": "EU" if iso != "US" else "NA"},
            "country": {"iso_code": iso, "names": {"en": country}},
            "city": {"names": {"en": city}},
            "location": {"latitude": lat, "longitude": lon, "accuracy_radius": 20},
        },
    )
writer.to_db_file(sys.argv[1])
