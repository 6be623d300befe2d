import { Ports } from '../../common/names';

/** What every Thanos component serves on its HTTP port: readiness, liveness, metrics. */
export const ThanosApi = {
  http: Ports.thanosHttp,
  grpc: Ports.thanosGrpc,
  remoteWrite: Ports.thanosRemoteWrite,
  /** Receive's Cap'n Proto replication server, which always listens (replication here is gRPC's). */
  capnproto: 19391,
  ready: '/-/ready',
  healthy: '/-/healthy',
  /** Receive's remote-write path. */
  receive: '/api/v1/receive',
} as const;
