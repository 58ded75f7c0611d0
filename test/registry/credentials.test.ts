import { describe, expect, it } from 'vitest';
import { tokenDigest } from '../../registry/credentials.js';
import { RegistryStore } from '../../registry/store.js';
import { tempDir } from '../support/tmp.js';

describe('CredentialStore', () => {
  it('issues a random token of at least 128 bits, keeps only its digest, and verifies it', async () => {
    const dir = tempDir();
    const store = await RegistryStore.open(dir);
    const creds = store.credentials();
    const token = creds.issue('cam-1', 'device');
    expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(creds.verify('cam-1', token)).toBe('device');
    expect(creds.verify('cam-1', `${token}x`)).toBeUndefined();
    expect(creds.verify('cam-2', token)).toBeUndefined();
    store.close();
    // Reopened from disk: the digest is there, the token is not.
    const again = await RegistryStore.open(dir);
    expect(again.credentials().verify('cam-1', token)).toBe('device');
    again.close();
    expect(tokenDigest(token)).toHaveLength(32);
  });

  it('accepts a token another process issued after this store was opened', async () => {
    const dir = tempDir();
    const broker = await RegistryStore.open(dir);
    const brokerCreds = broker.credentials();
    const simulator = await RegistryStore.open(dir);
    const token = simulator.credentials().issue('pm-1', 'device');
    expect(brokerCreds.verify('pm-1', token)).toBe('device');
    simulator.close();
    broker.close();
  });

  it('replaces the old token on rotation and forgets a revoked subject', async () => {
    const store = await RegistryStore.open(tempDir());
    const creds = store.credentials();
    const first = creds.issue('gw-1', 'device');
    const second = creds.issue('gw-1', 'device');
    expect(second).not.toBe(first);
    expect(creds.verify('gw-1', first)).toBeUndefined();
    expect(creds.verify('gw-1', second)).toBe('device');
    creds.revoke('gw-1');
    expect(creds.verify('gw-1', second)).toBeUndefined();
    store.close();
  });
});
