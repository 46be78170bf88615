/** plan --check-live on a fake host: the tarball shipped and unpacked beside the running release, the node checks the install. */
import { describe, expect, test } from 'vitest';
import { liveCheck } from '../../src/node/live-check.js';
import { FakeHost, fakeTarball, rhError } from '../support/fake-host.js';

const host = () => new FakeHost({ name: 'deploy@a:22', releases: [{ vsn: '0.1.0', status: 'permanent' }] });

describe('live check', () => {
  test('ships, unpacks, and the node says the install would go: an info finding, the node still on the old release', async () => {
    const fake = host();
    const found = await liveCheck(fake, '0.2.0', fakeTarball());
    expect(found).toMatchObject([{ rule: 'live/check-install', severity: 'info', effect: 'none' }]);
    expect(fake.releases.find((r) => r.vsn === '0.2.0')?.status).toBe('unpacked');
    expect(fake.running).toBe('0.1.0');
  });

  test('unpack refused: a blocking finding naming the reply', async () => {
    const fake = host().fail({ op: 'call:unpack_release', reply: rhError('enospc') });
    const found = await liveCheck(fake, '0.2.0', fakeTarball());
    expect(found).toMatchObject([{ rule: 'live/unpack-failed', effect: 'block', message: expect.stringContaining('{error,enospc}') }]);
    expect(fake.ops('call:check_install_release')).toEqual([]);
  });

  test('check_install refused: a finding that rules hot out (restart instead)', async () => {
    const fake = host().fail({ op: 'call:check_install_release', reply: rhError('old_processes') });
    const found = await liveCheck(fake, '0.2.0', fakeTarball());
    expect(found).toMatchObject([{ rule: 'live/check-install', severity: 'error', effect: 'restart' }]);
  });

  test('an already unpacked release is not shipped again', async () => {
    const fake = new FakeHost({ name: 'deploy@a:22', releases: [{ vsn: '0.1.0', status: 'permanent' }, { vsn: '0.2.0', status: 'unpacked' }] });
    await liveCheck(fake, '0.2.0', fakeTarball());
    expect(fake.ops('put')).toEqual([]);
  });
});
