// The live ISO/IEC 30146:2019 indicators of docs/contract.md §4, declared as data.
import type { IndicatorInput } from './definition.js';

const cameras = (assetClass: string) => ({ kind: 'cctv', assetClass });

export const LIVE_CATALOGUE: readonly IndicatorInput[] = [
  {
    id: 'L2.1.1',
    name: 'Share of municipal pipe network under smart monitoring',
    kind: 'asset-coverage',
    asset: { type: 'pipe-segment' },
    weightBy: 'length_m',
    coveredBy: { device: { kind: 'pipe-monitor' }, condition: 'online' },
  },
  {
    id: 'L1.2.2',
    name: 'Share of transit routes with real-time arrival forecasts',
    kind: 'asset-coverage',
    asset: { type: 'route' },
    coveredBy: { channel: 'arrival', withinS: 300 },
  },
  {
    id: 'L2.2.1.b1',
    name: 'Key public areas with CCTV coverage',
    kind: 'asset-coverage',
    asset: { type: 'area', class: 'key-public' },
    coveredBy: { device: { kind: 'cctv' }, condition: 'registered' },
  },
  {
    id: 'L2.2.1.b2',
    name: 'HD cameras in key public areas',
    kind: 'device-share',
    devices: cameras('key-public'),
    numerator: { condition: 'registered', hd: true },
  },
  {
    id: 'L2.2.1.b3',
    name: 'Key industry areas with CCTV coverage',
    kind: 'asset-coverage',
    asset: { type: 'area', class: 'key-industry' },
    coveredBy: { device: { kind: 'cctv' }, condition: 'registered' },
  },
  {
    id: 'L2.2.1.b4',
    name: 'Available cameras in key public areas',
    kind: 'device-share',
    devices: cameras('key-public'),
    numerator: { condition: 'available' },
  },
  {
    id: 'L2.2.1.b5',
    name: 'Available cameras in key industry areas',
    kind: 'device-share',
    devices: cameras('key-industry'),
    numerator: { condition: 'available' },
  },
  {
    id: 'L2.2.1',
    name: 'Collection and coverage of CCTV',
    kind: 'weighted',
    parts: [
      { indicator: 'L2.2.1.b1', weight: 0.25 },
      { indicator: 'L2.2.1.b2', weight: 0.2 },
      { indicator: 'L2.2.1.b3', weight: 0.15 },
      { indicator: 'L2.2.1.b4', weight: 0.25 },
      { indicator: 'L2.2.1.b5', weight: 0.15 },
    ],
  },
  {
    id: 'L2.2.2.b1',
    name: 'Key-public cameras connected to the sharing platform',
    kind: 'device-share',
    devices: cameras('key-public'),
    numerator: { condition: 'shared' },
  },
  {
    id: 'L2.2.2.b2',
    name: 'Key-industry cameras connected to the sharing platform',
    kind: 'device-share',
    devices: cameras('key-industry'),
    numerator: { condition: 'shared' },
  },
  {
    id: 'L2.2.2',
    name: 'Internet connection rate and sharing level of CCTV',
    kind: 'weighted',
    parts: [
      { indicator: 'L2.2.2.b1', weight: 0.3 },
      { indicator: 'L2.2.2.b2', weight: 0.2 },
      { flag: 'cctvSharingAgreement', weight: 0.5 },
    ],
  },
  {
    id: 'L3.1.1',
    name: 'Online monitoring of key pollution sources',
    kind: 'asset-coverage',
    asset: { type: 'site', class: 'pollution' },
    coveredBy: { device: { kind: 'sensor' }, condition: 'online' },
  },
  {
    id: 'L3.2.2',
    name: 'Online monitoring rate of key energy-using institutions',
    kind: 'asset-coverage',
    asset: { type: 'site', class: 'energy' },
    coveredBy: { device: { kind: 'sensor' }, condition: 'online' },
  },
  ...(['cctv', 'cctv-gateway', 'pipe-monitor', 'transit-beacon', 'sensor'] as const).map(
    (kind): IndicatorInput => ({
      id: `availability.${kind}`,
      name: `Devices of kind ${kind} online (operational)`,
      kind: 'device-share',
      devices: { kind },
      numerator: { condition: 'online' },
    }),
  ),
];
