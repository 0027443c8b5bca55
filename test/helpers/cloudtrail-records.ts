/**
 * A CloudTrail console sign-in record as CloudTrail writes it ("CloudTrail record contents",
 * the documented ConsoleLogin example), with the account, event id, region and source IP a test needs.
 */
export function consoleLoginRecord(o: { recipient: string; eventID: string; region?: string; sourceIp?: string }): string {
  return JSON.stringify({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDACKCEVSQ6C2EXAMPLE', arn: `arn:aws:iam::${o.recipient}:user/anaya`, accountId: o.recipient, userName: 'anaya' },
    eventTime: '2026-03-01T10:24:34Z',
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: o.region ?? 'us-east-1',
    sourceIPAddress: o.sourceIp ?? '192.0.2.0',
    responseElements: { ConsoleLogin: 'Success' },
    eventID: o.eventID,
    eventType: 'AwsConsoleSignIn',
    recipientAccountId: o.recipient,
  });
}
