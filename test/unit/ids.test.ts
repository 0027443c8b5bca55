import { cloudWatchKey, s3RecordKey } from '../../lib/core/ids';
import { stableId } from '../../parsers/ids';

test('stableId is deterministic, url-safe and separates parts', () => {
  expect(stableId('a', 'b')).toBe(stableId('a', 'b'));
  expect(stableId('a b', 'c')).not.toBe(stableId('a', 'b c'));
  expect(stableId('x')).toMatch(/^[A-Za-z0-9_-]{27}$/);
});

test('keys name the delivery position', () => {
  expect(cloudWatchKey('/aws/lambda/f', '3195310660696698337880902507980421114328961542429822156')).toBe(
    '/aws/lambda/f/3195310660696698337880902507980421114328961542429822156',
  );
  expect(s3RecordKey('b', 'AWSLogs/x.log.gz', 'etag1', 7)).toBe('s3://b/AWSLogs/x.log.gz#etag1:7');
});
