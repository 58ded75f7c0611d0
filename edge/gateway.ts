// A CCTV gateway (docs/contract.md §2): one MQTT connection that reports for itself and for each camera behind it —
// their statuses (with `video` and `shared`) and heartbeats on `city/cctv/<cameraId>/...`. The cameras have
// no connection of their own, so the gateway's Last Will covers them too: a camera behind a gateway is online
// only while its gateway is (§3).
import { DeviceAgent, type DeviceAgentOptions } from './agent.js';
import type { VideoState } from './wire.js';

export interface GatewayCamera {
  id: string;
  video?: VideoState;
  shared?: boolean;
}

export interface GatewayAgentOptions extends Omit<DeviceAgentOptions, 'kind'> {
  cameras: readonly GatewayCamera[];
}

export class GatewayAgent extends DeviceAgent {
  readonly cameraIds: readonly string[];

  constructor(options: GatewayAgentOptions) {
    super({ ...options, kind: 'cctv-gateway' });
    this.cameraIds = options.cameras.map((c) => c.id);
    for (const c of options.cameras) {
      this.addReported({ kind: 'cctv', id: c.id }, { video: c.video ?? 'ok', shared: c.shared ?? false });
    }
  }

  cameraVideo(cameraId: string): VideoState | undefined {
    return this.reportedFields(cameraId)?.video as VideoState | undefined;
  }

  setCameraVideo(cameraId: string, video: VideoState): void {
    if (video !== this.cameraVideo(cameraId)) this.updateReported(cameraId, { fields: { video } });
  }

  /** A camera the gateway can no longer reach is reported offline (and gets no heartbeats) until it is back. */
  setCameraReachable(cameraId: string, reachable: boolean): void {
    this.updateReported(cameraId, { up: reachable });
  }
}
