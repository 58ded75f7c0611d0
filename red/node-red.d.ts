// The part of Node-RED's embedding API citygauge uses (node-red 4.x ships no type declarations).
declare module 'node-red' {
  import type { Server } from 'node:http';
  import type { Express } from 'express';

  interface NodeRed {
    init(server: Server, settings: Record<string, unknown>): void;
    start(): Promise<void>;
    stop(): Promise<void>;
    readonly httpAdmin: Express;
    readonly httpNode: Express;
    readonly version: () => string;
  }
  const RED: NodeRed;
  export default RED;
}
