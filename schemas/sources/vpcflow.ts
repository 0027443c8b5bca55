/**
 * Fields under `aws.vpcflow`: VPC and Transit Gateway Flow Logs detail that has no ECS home.
 * Names are the flow log field names with `-` written `_` (`pkt-srcaddr` → `pkt_srcaddr`).
 * Field meanings: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html and
 * https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html#flow-log-records
 */
import { f } from '../dsl';

const kw = (description: string, example?: string) => f.keyword(description, example === undefined ? {} : { example });

export const vpcflow = f.group({
  version: kw('Flow log record version: the highest version among the selected fields (2-8; 6 = Transit Gateway).', '5'),
  account_id: kw('`account-id` when it is not an AWS account id (e.g. `unknown` for ENIs of AWS services); a real id goes to `cloud.account.id`.', 'unknown'),
  interface_id: kw('ENI the traffic was recorded for.', 'eni-1235b8ca123456789'),
  vpc_id: kw('VPC of the ENI.', 'vpc-abcdefab012345678'),
  subnet_id: kw('Subnet of the ENI.', 'subnet-aaaaaaaa012345678'),
  log_status: kw('`OK`, `NODATA` (no traffic in the window) or `SKIPDATA` (records skipped).', 'OK'),
  tcp_flags: f.long('TCP flags bitmask OR-ed over the aggregation window (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32).', { example: 19 }),
  tcp_flags_array: f.keyword('Names of the TCP flags set in `tcp_flags`.', { array: true, example: ['fin', 'syn', 'ack'] }),
  type: kw('Traffic type as logged: `IPv4`, `IPv6` or `EFA`.', 'IPv4'),
  pkt_srcaddr: f.ip('Packet-level (original) source address, e.g. behind a NAT gateway or for EKS pods.'),
  pkt_dstaddr: f.ip('Packet-level (original) destination address.'),
  sublocation_type: kw('`wavelength`, `outpost` or `localzone`.'),
  sublocation_id: kw('Id of the sublocation.'),
  pkt_src_aws_service: kw('AWS service (IP range) the packet source belongs to.', 'S3'),
  pkt_dst_aws_service: kw('AWS service (IP range) the packet destination belongs to.', 'DYNAMODB'),
  flow_direction: kw('`ingress` or `egress`, relative to the ENI.', 'ingress'),
  traffic_path: f.long('Egress path code (1-8).', { example: 8 }),
  traffic_path_name: kw('Egress path code decoded (`internet-gateway`, `vpc-peering-intra-region`...).', 'internet-gateway'),
  reject_reason: kw('Why the traffic was rejected (e.g. `BPA`: VPC Block Public Access); also in `event.reason`.', 'BPA'),
  ecs_cluster_arn: kw('ECS cluster of the task.'),
  ecs_cluster_name: kw('ECS cluster name.'),
  ecs_container_instance_arn: kw('ECS container instance (EC2 launch type).'),
  ecs_container_instance_id: kw('ECS container instance id.'),
  ecs_container_id: kw('Docker id of the first container of the task.'),
  ecs_second_container_id: kw('Docker id of the second container of the task.'),
  ecs_service_name: kw('ECS service of the task.'),
  ecs_task_definition_arn: kw('Task definition of the task.'),
  ecs_task_arn: kw('ECS task.'),
  ecs_task_id: kw('ECS task id.'),
  resource_type: kw('Transit Gateway records: `TransitGateway` or `TransitGatewayAttachment`.', 'TransitGatewayAttachment'),
  tgw_id: kw('Transit gateway.', 'tgw-0123456789abcdef0'),
  tgw_attachment_id: kw('Transit gateway attachment.'),
  tgw_src_vpc_account_id: kw('Account of the source VPC.'),
  tgw_dst_vpc_account_id: kw('Account of the destination VPC.'),
  tgw_src_vpc_id: kw('Source VPC.'),
  tgw_dst_vpc_id: kw('Destination VPC.'),
  tgw_src_subnet_id: kw('Source subnet.'),
  tgw_dst_subnet_id: kw('Destination subnet.'),
  tgw_src_eni: kw('Source attachment ENI.'),
  tgw_dst_eni: kw('Destination attachment ENI.'),
  tgw_src_az_id: kw('Source availability zone id.'),
  tgw_dst_az_id: kw('Destination availability zone id.'),
  tgw_pair_attachment_id: kw('Attachment on the other side of the flow.'),
  packets_lost_no_route: f.long('Packets dropped for lack of a route.'),
  packets_lost_blackhole: f.long('Packets dropped by a blackhole route.'),
  packets_lost_mtu_exceeded: f.long('Packets dropped because they exceeded the MTU.'),
  packets_lost_ttl_expired: f.long('Packets dropped because their TTL expired.'),
  extra: f.flat('Fields of the flow log format this parser does not know (newer AWS fields), by their flow log name; kept rather than failing.'),
});
