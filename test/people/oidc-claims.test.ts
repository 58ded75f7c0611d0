// What a provider's claims make of a person (role and name), and the pending-flow cookie's checks: pure.
import { describe, expect, it } from 'vitest';
import { claimValues, mappedValues, nameFrom, roleFor } from '../../people/oidc-claims.js';
import { DEFAULT_NEXT, openPending, safeNext, sealPending } from '../../people/oidc-pending.js';

const MAPPING = { admin: ['city-admins'], engineer: ['field-engineers'], viewer: ['staff'] };

describe('the role from the claims', () => {
  it('is the highest role any value maps to, whatever their order', () => {
    expect(roleFor(['staff', 'field-engineers'], MAPPING)).toBe('engineer');
    expect(roleFor(['city-admins', 'staff'], MAPPING)).toBe('admin');
    expect(roleFor(['contractors'], MAPPING)).toBeUndefined();
  });

  it('reads a single value sent as a string as well as an array', () => {
    expect(claimValues({ groups: 'staff' }, 'groups')).toEqual(['staff']);
    expect(claimValues({ groups: ['staff', 3, 'city-admins'] }, 'groups')).toEqual(['staff', 'city-admins']);
    expect(claimValues({}, 'groups')).toEqual([]);
  });

  it('reaches into nested claims by a dotted path, and takes a dotted claim name as it is first', () => {
    expect(claimValues({ realm_access: { roles: ['city-admins'] } }, 'realm_access.roles')).toEqual([
      'city-admins',
    ]);
    expect(claimValues({ 'https://city.example/roles': ['staff'] }, 'https://city.example/roles')).toEqual([
      'staff',
    ]);
  });

  it('lists the mapped values from the highest role down, for the refusal message', () => {
    expect(mappedValues(MAPPING)).toEqual(['city-admins', 'field-engineers', 'staff']);
  });
});

describe('the account name from the claims', () => {
  it('is the name claim, else email, else sub', () => {
    expect(nameFrom({ sub: 's1', preferred_username: 'ada', email: 'a@x' }, 'preferred_username')).toBe(
      'ada',
    );
    expect(nameFrom({ sub: 's1', preferred_username: '', email: 'a@x' }, 'preferred_username')).toBe('a@x');
    expect(nameFrom({ sub: 's1' }, 'preferred_username')).toBe('s1');
    expect(nameFrom({ sub: 's1', upn: 'ada@city' }, 'upn')).toBe('ada@city');
  });
});

describe('the pending sign-in', () => {
  const flow = {
    state: 'st',
    nonce: 'no',
    codeVerifier: 'v'.repeat(43),
    next: '/alerts',
    expiresAt: 1_000_000,
  };

  it('opens to what was sealed until it expires', () => {
    expect(openPending(sealPending(flow), 999_999)).toEqual(flow);
    expect(openPending(sealPending(flow), 1_000_000)).toBeUndefined();
  });

  it('does not open when missing or malformed', () => {
    expect(openPending(undefined, 0)).toBeUndefined();
    expect(openPending('not base64 json', 0)).toBeUndefined();
    expect(openPending(Buffer.from('{"v":1}').toString('base64url'), 0)).toBeUndefined();
  });

  it('checks the destination again when it comes back', () => {
    expect(openPending(sealPending({ ...flow, next: '//evil.example' }), 0)?.next).toBe(DEFAULT_NEXT);
  });
});

describe('the destination after signing in', () => {
  it.each(['/dashboard', '/alerts?district=north#top', '/red/'])('keeps the path %j', (next) => {
    expect(safeNext(next)).toBe(next);
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    'alerts',
    '/\t/evil.example',
    '/\n/evil.example',
    '',
    undefined,
    42,
  ])('is /dashboard instead of %j', (next) => {
    expect(safeNext(next)).toBe(DEFAULT_NEXT);
  });
});
