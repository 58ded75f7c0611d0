// A camera with its own connection (docs/contract.md §2): its status carries `video` and `shared`; otherwise it only
// heartbeats. A change of picture or of sharing is published at once as a new retained status.
import { DeviceAgent, type DeviceAgentOptions } from './agent.js';
import type { CameraStatusFields, VideoState } from './wire.js';

export interface CameraAgentOptions extends Omit<DeviceAgentOptions, 'kind'> {
  video?: VideoState;
  shared?: boolean;
}

export class CameraAgent extends DeviceAgent {
  constructor(options: CameraAgentOptions) {
    super({ ...options, kind: 'cctv' });
    const fields: CameraStatusFields = { video: options.video ?? 'ok', shared: options.shared ?? false };
    this.addReported({ kind: 'cctv', id: this.deviceId }, { ...fields });
  }

  get video(): VideoState {
    return this.reportedFields(this.deviceId)?.video as VideoState;
  }

  setVideo(video: VideoState): void {
    if (video !== this.video) this.updateReported(this.deviceId, { fields: { video } });
  }

  setShared(shared: boolean): void {
    this.updateReported(this.deviceId, { fields: { shared } });
  }
}
