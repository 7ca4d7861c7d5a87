import * as path from 'path';
import { REPO } from '../support/reference';
import { runTool } from '../support/tools';

// The API reference (`npm run docs`): TypeDoc with `validation.notDocumented`, so every public class,
// property, method and nested field of both entry points must carry TSDoc; a link to something not in the
// docs fails too.
test('every public API item is documented (TypeDoc validation, warnings are errors)', () => {
  const typedoc = path.join(REPO, 'node_modules', 'typedoc', 'bin', 'typedoc');
  const result = runTool(process.execPath, [typedoc, '--emit', 'none', '--treatWarningsAsErrors'], { cwd: REPO });
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
  expect(`${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(/warning|error/i);
  expect(result.status).toBe(0);
}, 120_000);
