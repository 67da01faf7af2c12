package dev.thrillring.openapi;

import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * {@code /openapi.json}, {@code /openapi.yaml}, and Swagger UI at {@code /docs} from the
 * {@code org.webjars:swagger-ui} jar on the classpath (no CDN: it works offline).
 */
public final class OpenApiRoutes {
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    /** The Swagger UI files the page loads; nothing else of the jar is served. */
    private static final Map<String, String> FILES = Map.of(
            "swagger-ui.css", "text/css; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");
    private static final String PAGE = """
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>ThrillRing API</title>
              <link rel="stylesheet" href="/docs/swagger-ui.css">
              <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
            </head>
            <body>
              <div id="swagger-ui"></div>
              <script src="/docs/swagger-ui-bundle.js"></script>
              <script src="/docs/swagger-ui-standalone-preset.js"></script>
              <script>
                window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
                  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"});
              </script>
            </body>
            </html>
            """;

    private final OpenApiDocument document;
    private final String webjarVersion;

    private OpenApiRoutes(OpenApiDocument document, String webjarVersion) {
        this.document = document;
        this.webjarVersion = webjarVersion;
    }

    public static void register(RoutesConfig routes, OpenApiDocument document) {
        OpenApiRoutes r = new OpenApiRoutes(document, swaggerUiVersion());
        routes.get("/openapi.json", ctx -> ctx.contentType("application/json").header("Cache-Control", "public, max-age=60")
                .result(document.json()), Role.PUBLIC);
        routes.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").header("Cache-Control", "public, max-age=60")
                .result(document.yaml()), Role.PUBLIC);
        routes.get("/docs", ctx -> ctx.html(PAGE), Role.PUBLIC);
        routes.get("/docs/{file}", r::file, Role.PUBLIC);
    }

    private void file(Context ctx) {
        String name = ctx.pathParam("file");
        String type = FILES.get(name);
        if (type == null) throw new Problem.NotFound("no file " + name + " under /docs");
        InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(WEBJAR + webjarVersion + "/" + name);
        if (in == null) throw new Problem.NotFound("no file " + name + " under /docs");
        ctx.contentType(type).header("Cache-Control", "public, max-age=86400").result(in);
    }

    /** The version of the Swagger UI WebJar on the classpath, from its Maven metadata. */
    static String swaggerUiVersion() {
        try (InputStream in = OpenApiRoutes.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) throw new IllegalStateException("the swagger-ui WebJar is missing from the classpath");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
