/** Local ports for tests: the engine's helper (its tests may use nothing from this folder, so the sharing goes this way). */
export { unusedPort } from '../../fql-engine/test/support/ports.ts';
