// Preact + htm, served by Sandpay itself (no CDN, no build step).
import { h, render, Fragment } from '/dashboard/vendor/preact.js';
import htm from '/dashboard/vendor/htm.js';

export { h, render, Fragment };
export { useState, useEffect, useRef, useCallback, useMemo } from '/dashboard/vendor/hooks.js';
export const html = htm.bind(h);
