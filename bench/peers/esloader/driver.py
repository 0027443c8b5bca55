#!/usr/bin/env python3
"""Run the es-loader Lambda of "SIEM on Amazon OpenSearch Service" on one local
gzip log file, as one S3 ObjectCreated notification, with no AWS account.

Usage: ES_LOADER_DIR=<.../source/lambda/es_loader> [GEOIP_DIR=<dir>] \
       python driver.py <vpcflowlogs|alb|cloudtrail> <file.gz>

Our own harness (bench/README.md, "Peers"): es-loader's code is not in this
repository; ES_LOADER_DIR points at a checkout of it (2.8.0c was measured).
Everything es-loader does on the CPU runs unchanged: it reads the object,
splits it through its SQS queue when it has more than max_log_count logs,
parses, normalizes to ECS, serializes, gzips and SigV4-signs every _bulk
request. Only the network answers are local (see the four fakes below).
Counts go to stderr; es-loader's own log lines go to stdout.

GeoIP: off unless GEOIP_DIR names a directory holding GeoLite2-City.mmdb and
GeoLite2-ASN.mmdb (build_geodbs.py makes them from the data Tributary enriches
with). They are then copied to /tmp, where es-loader keeps the databases it
downloaded, and es-loader looks up its geoip fields in them (geo and as).
IOC stays off either way. The stderr line also counts, in the first _bulk
request (read after the timed part), the documents with a public IP and those
es-loader gave a geo or an as (source, destination or client).
"""
import io
import json
import os
import shutil
import sys
import time

LOG_TYPE, PATH = sys.argv[1], sys.argv[2]
BUCKET = 'aes-siem-111122223333-log'
# Keys laid out as each service delivers to S3; each matches that log type's
# s3_key regex in es-loader's aws.ini, which is how es-loader picks the parser.
KEYS = {
    'vpcflowlogs': 'AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/12/06/'
                   '111122223333_vpcflowlogs_us-east-1_fl-0123456789abcdef0_'
                   '20261206T0000Z_0a1b2c3d.log.gz',
    'alb': 'AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/12/06/'
           '111122223333_elasticloadbalancing_us-east-1_app.orders-alb.'
           '8899d818977d6aa2_20261206T0000Z_192.0.2.10_2k6m1q9z.log.gz',
    'cloudtrail': 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/06/'
                  '111122223333_CloudTrail_us-east-1_20261206T0000Z_'
                  'AbCdEfGh12345678.json.gz',
}
KEY = KEYS[LOG_TYPE]

# es-loader reads its configuration at import time, so set it first.
# The endpoint's second label is the SigV4 region (utils.create_awsauth).
os.environ['ES_ENDPOINT'] = 'search-aes-siem-bench.us-east-1.es.amazonaws.com'
os.environ['AWS_DEFAULT_REGION'] = 'us-east-1'
os.environ['AWS_ACCESS_KEY_ID'] = 'AKIAIOSFODNN7EXAMPLE'   # dummy: signing is
os.environ['AWS_SECRET_ACCESS_KEY'] = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
# GeoIP, IOC and the exclude-patterns CSV are all fetched from GEOIP_BUCKET at
# import. Empty (GEOIP_DIR unset): no download and no lookup at all; boto3
# rejects the empty bucket name before any request.
# GEOIP_DIR set: a dummy bucket name turns GeoIP on; es-loader's GeoDB skips
# the download when /tmp/GeoLite2-{City,ASN}.mmdb exist with a ctime under 10
# days and no /tmp/not_found_GeoLite2-*.mmdb marker does, so the files are
# copied there (a copy, not a link: the ctime must be fresh). Anything else
# es-loader asks of that bucket gets 404 from Fake 4: no exclude-patterns CSV,
# and no IOC database, so IOC stays disabled (checked after the import).
GEOIP_DIR = os.environ.get('GEOIP_DIR')
GEOIP_DBS = ('GeoLite2-City.mmdb', 'GeoLite2-ASN.mmdb')
if GEOIP_DIR:
    for name in GEOIP_DBS:
        shutil.copyfile(os.path.join(GEOIP_DIR, name), '/tmp/' + name)
        try:
            os.remove('/tmp/not_found_' + name)
        except FileNotFoundError:
            pass
    os.environ['GEOIP_BUCKET'] = 'aes-siem-111122223333-geo'
else:
    os.environ['GEOIP_BUCKET'] = ''
os.environ.pop('AWS_EXECUTION_ENV', None)   # local mode: no CloudWatch metrics
os.environ.pop('SQS_SPLITTED_LOGS_URL', None)  # the split queue is faked below
sys.path.insert(0, os.environ['ES_LOADER_DIR'])

import boto3  # noqa: E402
import requests  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402
from botocore.response import StreamingBody  # noqa: E402
from botocore.stub import Stubber  # noqa: E402
from opensearchpy import OpenSearch  # noqa: E402

# Fake 1, OpenSearch: answer at the requests transport adapter, i.e. after
# opensearch-py has serialized the bulk body, gzipped it (http_compress=True)
# and the AWSV4SignerAuth has signed it, so all of that stays in the timing.
# Every _bulk gets a 200 whose items all succeeded; es-loader's start-up calls
# (GET /, cold indices, cluster blocks) get an empty domain.
pending_bulk_docs = []
bulked = {'requests': 0, 'docs': 0, 'bytes_sent': 0}
first_bulk = []   # the first _bulk request, kept as sent, read at the end
_orig_bulk = OpenSearch.bulk


def counting_bulk(self, body, *args, **kwargs):
    # es-loader passes a list of alternating action / document lines.
    pending_bulk_docs.append(len(body) // 2)
    return _orig_bulk(self, body, *args, **kwargs)


OpenSearch.bulk = counting_bulk
ITEM = '{"index":{"status":201}}'


def local_send(adapter, request, **kwargs):
    path = requests.utils.urlparse(request.url).path
    if path.endswith('/_bulk'):
        n = pending_bulk_docs.pop(0)
        if not bulked['requests']:
            first_bulk.append(request)
        bulked['requests'] += 1
        bulked['docs'] += n
        bulked['bytes_sent'] += len(request.body or b'')
        body = '{"took":1,"errors":false,"items":[%s]}' % ','.join([ITEM] * n)
    elif '_cold' in path:
        body = '{"indices":[],"pagination_id":null}'
    elif '_cluster/state' in path:
        body = '{"cluster_name":"bench","blocks":{}}'
    else:
        body = '{"version":{"distribution":"opensearch","number":"2.5.0"}}'
    response = requests.Response()
    response.status_code, response.reason = 200, 'OK'
    response.headers['content-type'] = 'application/json'
    response._content = body.encode()
    response.url, response.request, response.encoding = (
        request.url, request, 'utf-8')
    return response


requests.adapters.HTTPAdapter.send = local_send


# Fake 4 (here: the import below already needs it), S3 other than the log
# object: what es-loader fetches from GEOIP_BUCKET at import (exclude-patterns
# CSV, IOC database, and the GeoIP databases when /tmp has none) would reach
# the network with a non-empty bucket name; every such request is answered
# 404 Not Found here, before sending, as a bucket without those objects would.
# Registered on boto3's default session, whose handlers every client and
# resource es-loader creates from it inherits (the log object's get_object is
# answered by Fake 2 first).
class _EmptyBody:
    def stream(self, **kwargs):
        return iter(())


def s3_not_found(request, **kwargs):
    return AWSResponse(request.url, 404, {}, _EmptyBody())


boto3.setup_default_session()
boto3.DEFAULT_SESSION.events.register('before-send.s3', s3_not_found)

import index  # noqa: E402  (es-loader's handler module)

assert not index.ioc_instance.is_enabled, 'IOC must stay off'
if GEOIP_DIR:
    assert index.geodb_instance._reader_city and \
        index.geodb_instance._reader_asn, 'es-loader opened no GeoIP database'

# Fake 2, S3: there is no S3 here and fetching the object is I/O, not the CPU
# work measured, so botocore's Stubber answers get_object with the local file
# (the client's parameter validation and event hooks still run). One answer is
# queued per invocation: every split invocation re-reads the whole object, as
# on Lambda.
with open(PATH, 'rb') as f:
    DATA = f.read()
stubber = Stubber(index.s3_client)
stubber.activate()


def queue_object():
    stubber.add_response(
        'get_object',
        {'Body': StreamingBody(io.BytesIO(DATA), len(DATA)),
         'ContentLength': len(DATA),
         'ResponseMetadata': {'HTTPStatusCode': 200,
                              'HTTPHeaders': {'content-length': str(len(DATA))}}},
        {'Bucket': BUCKET, 'Key': KEY})


# Fake 3, SQS: an object with more than max_log_count logs (100,000; 50,000 for
# CloudTrail) is split by es-loader into start/end ranges sent to its
# sqs-splitted-logs queue, each then processed by another invocation. Without
# a queue es-loader would silently load only the first range, so keep the
# messages and replay each as an SQS-triggered invocation in this process.
class SplitQueue:
    def __init__(self):
        self.messages = []

    def send_messages(self, Entries):
        self.messages.extend(e['MessageBody'] for e in Entries)
        return {'ResponseMetadata': {'HTTPStatusCode': 200}}


split_queue = SplitQueue()
index.sqs_queue = split_queue

s3_event = {'Records': [{
    'eventVersion': '2.1', 'eventSource': 'aws:s3', 'awsRegion': 'us-east-1',
    'eventName': 'ObjectCreated:Put',
    's3': {'bucket': {'name': BUCKET,
                      'arn': f'arn:aws:s3:::{BUCKET}'},
           'object': {'key': KEY, 'size': len(DATA)}}}]}

started = time.perf_counter()
invocations = 1
queue_object()
index.lambda_handler(s3_event, None)
while split_queue.messages:
    body = split_queue.messages.pop(0)
    queue_object()
    index.lambda_handler(
        {'Records': [{'eventSource': 'aws:sqs', 'body': body}]}, None)
    invocations += 1
handler_s = time.perf_counter() - started

# Input events, to check against documents bulked: counted after the timed
# handler calls, streaming (holding the 50 MB text would raise the peak RSS).
import gzip  # noqa: E402


def count_in_gzip(data, needle):
    n, tail, first, last = 0, b'', b'', b''
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as g:
        while chunk := g.read(1 << 20):
            first = first or chunk[:8]
            buf = tail + chunk
            n += buf.count(needle)
            tail, last = buf[len(buf) + 1 - len(needle):], chunk[-1:]
    return n, first, last


if LOG_TYPE == 'cloudtrail':
    events = count_in_gzip(DATA, b'"eventID":')[0]
else:
    events, first, last = count_in_gzip(DATA, b'\n')
    events += last != b'\n'
    events -= first.startswith(b'version ')   # S3 delivery's header line
counts = {'log_type': LOG_TYPE, 'geoip': bool(GEOIP_DIR), 'events': events,
          'docs_bulked': bulked['docs'],
          'bulk_requests': bulked['requests'],
          'bulk_gzip_bytes': bulked['bytes_sent'],
          'invocations': invocations,
          'handler_seconds': round(handler_s, 3)}

# Did es-loader enrich? Its documents of the first _bulk: those with a public
# address in source, destination or client, and those with a geo or an as.
if first_bulk:
    import ipaddress  # noqa: E402
    body = first_bulk.pop().body
    body = body if isinstance(body, bytes) else body.encode()
    if body.startswith(b'\x1f\x8b'):   # http_compress=True
        body = gzip.GzipFile(fileobj=io.BytesIO(body))
    else:
        body = io.BytesIO(body)

    def public(ip):
        try:
            return ipaddress.ip_address(ip).is_global
        except (TypeError, ValueError):
            return False

    def has(doc, test):
        return any(isinstance(doc.get(role), dict) and test(doc[role])
                   for role in ('source', 'destination', 'client'))
    n = {'docs': 0, 'public_ip_docs': 0, 'geo_docs': 0, 'as_docs': 0}
    for i, line in enumerate(body):   # one at a time: keep the peak RSS
        if i % 2 == 0:                # action line, then the document
            continue
        doc = json.loads(line)
        n['docs'] += 1
        n['public_ip_docs'] += has(doc, lambda r: public(r.get('ip')))
        n['geo_docs'] += has(doc, lambda r: 'geo' in r)
        n['as_docs'] += has(doc, lambda r: 'as' in r)
    counts.update({'first_bulk_' + k: v for k, v in n.items()})
print(json.dumps(counts), file=sys.stderr)
