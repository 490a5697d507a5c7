// /docs: the OpenAPI document generated from the contract, and Swagger UI to browse it.
import { openApiDocument } from '../../contract/index.js';
import { ApiProblem } from './errors.js';
import { swaggerAssets } from './assets.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gsched HTTP API</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>
`;

// No validator badge: Swagger UI would otherwise send the document to validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;

export interface DocsHandlers {
  page(): string;
  document(): string;
  asset(file: string): { body: Buffer | string; type: string };
}

export function docsHandlers(version: string): DocsHandlers {
  const assets = swaggerAssets();
  let doc: string | null = null;
  return {
    page: () => PAGE,
    document: () => (doc ??= JSON.stringify(openApiDocument(version))),
    asset(file) {
      if (file === 'init.js') return { body: INIT, type: 'application/javascript; charset=utf-8' };
      const a = assets.get(file);
      if (!a) throw new ApiProblem('NOT_FOUND', `no documentation file ${file}`);
      return a;
    },
  };
}
