// Renders /openapi.json with Swagger UI (served from the build, no CDN).
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  // The page is documentation: "Try it out" would send requests from the browser.
  supportedSubmitMethods: [],
});
