package dev.thrillring.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import io.javalin.rendering.FileRenderer;

import java.util.Map;

/** Javalin's {@code ctx.render} on jte templates precompiled at build time (src/main/jte, HTML escaping on). */
public final class JteRenderer implements FileRenderer {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    @Override
    @SuppressWarnings("unchecked")
    public String render(String filePath, Map<String, ?> model, Context ctx) {
        StringOutput out = new StringOutput(8192);
        engine.render(filePath, (Map<String, Object>) model, out);
        return out.toString();
    }
}
