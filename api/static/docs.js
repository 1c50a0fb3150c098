"use strict";
// Swagger UI for /api/v1 (served locally; the page's CSP allows scripts from this origin only).
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.getAttribute("data-spec-url"), domNode: root, deepLinking: false });
});
