import { nativeRoutes } from '../faces/native/routes.ts';
import type { AnyRoute } from '../routing/route.ts';
import { openApiRoute } from './docs-route.ts';
import { FACES } from './faces.ts';

/**
 * The API contract: every route Sandpay serves, with its auth, schemas and answers, from each
 * gateway face's own table (src/faces/<face>/routes.ts). Express is mounted from this table, the
 * OpenAPI document is generated from it, and the test sweeps (isolation, fuzzing, contract
 * checks) iterate it.
 */
export const ROUTES: readonly AnyRoute[] = [
  ...nativeRoutes(FACES),
  ...FACES.flatMap((f) => f.routes),
  openApiRoute(() => ROUTES),
];
