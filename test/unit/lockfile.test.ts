import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockedPackage {
  optionalDependencies?: Record<string, string>;
}

/**
 * The registry mirror used here lacks some platform binaries at their newest versions (e.g.
 * @swc/core-darwin-arm64). npm then writes a lockfile without them, and `npm ci` rejects it on
 * every machine. Pins in package.json (@swc/core, overrides.unrs-resolver) avoid that; this test
 * catches a dependency bump that brings the problem back before CI does.
 */
describe('package-lock.json', () => {
  it('locks every optional (platform) dependency of every locked package, so `npm ci` accepts it', () => {
    const lock = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockedPackage>;
    };
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        const nested = `${path}/node_modules/${name}`;
        if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) missing.push(`${name} (wanted by ${path || 'root'})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
