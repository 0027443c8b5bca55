/** Replay's public surface (the CLI, the local run, the tests): see `run.ts` for the design. */
export { Checkpoint, type CheckpointData, replayFingerprint } from './checkpoint';
export { estimateReplay, type ReplayEstimate } from './estimate';
export { indexObjects, type IndexObjectsOptions, type IndexObjectsResult } from './index-objects';
export { enumerateObjects, parseTimeArg, partitionSelected, planPrefixes, type ReplayFilter, type ReplayFrom, type ReplayObject, timePrefixes } from './plan';
export { type RawOptions, splitConcatenatedJson, stageRawObject } from './raw';
export {
  type EnqueueResult,
  enqueuePage,
  type EnumerationCursor,
  MAX_OBJECTS_PER_INVOCATION,
  type RemoteReplay,
  remoteReplayFromConfig,
  type RemoteReplayEvent,
  type RemoteReplayResponse,
  type RemoteReplayTotals,
  replayPage,
  s3NotificationBody,
} from './remote';
export { type ReplayOptions, type ReplayResult, runReplay } from './run';
export { AdaptiveThrottle, type IndexingCounters, type ThrottleOptions, throttledTransport } from './throttle';
