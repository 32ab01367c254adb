// Renders /api/v1/openapi.json with the locally served Scalar bundle; no fonts or calls elsewhere.
Scalar.createApiReference('#app', {
  url: '/api/v1/openapi.json',
  withDefaultFonts: false,
  hideClientButton: true,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  // Its toolbar (shown on localhost) offers to share or deploy the document through Scalar's servers.
  showDeveloperTools: 'never',
});
