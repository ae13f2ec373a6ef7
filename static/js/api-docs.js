// The API docs page (templates/api/docs.html): Swagger UI over our OpenAPI schema. "Try it out"
// runs with the signed-in session; writes carry the CSRF token Django put in the page.
"use strict";
(function () {
  function start() {
    var root = document.getElementById("swagger-ui");
    var csrf = root.getAttribute("data-csrf-token");
    window.SwaggerUIBundle({
      url: root.getAttribute("data-schema-url"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: false,
      displayOperationId: false,
      filter: true,
      defaultModelsExpandDepth: -1, // the operations, not a long list of schemas
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      onComplete: function () {
        // Swagger UI draws its filter box without a label; give it the page's own words.
        var filter = root.querySelector("input.operation-filter-input");
        if (filter) {
          filter.setAttribute("aria-label", root.getAttribute("data-filter-label"));
        }
      },
      requestInterceptor: function (request) {
        if (request.method && request.method.toUpperCase() !== "GET") {
          request.headers["X-CSRFToken"] = csrf;
        }
        return request;
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
