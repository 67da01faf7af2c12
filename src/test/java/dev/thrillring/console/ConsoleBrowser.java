package dev.thrillring.console;

import dev.thrillring.support.TestServer;

import java.io.ByteArrayOutputStream;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A browser without JavaScript for the console's HTTP tests: a cookie jar, forms with their CSRF token, no automatic redirects. */
final class ConsoleBrowser {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    final TestServer app;
    final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient http;

    record Page(int status, String body, HttpResponse<String> raw) {
        String location() { return raw.headers().firstValue("Location").orElse(null); }

        List<String> setCookies() { return raw.headers().allValues("Set-Cookie"); }

        String csrf() {
            Matcher m = CSRF.matcher(body);
            return m.find() ? m.group(1) : null;
        }
    }

    ConsoleBrowser(TestServer app) {
        this.app = app;
        this.http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    Page get(String path) {
        return get(path, Map.of());
    }

    /** A GET with extra headers (e.g. Referer, HX-Request, X-Forwarded-For). */
    Page get(String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUrl() + path)).header("Accept", "text/html").GET();
        headers.forEach(b::header);
        return send(b.build());
    }

    /** Posts a form; {@code _csrf} is sent only when given. */
    Page post(String path, Map<String, String> fields) {
        return post(path, fields, Map.of());
    }

    /** Posts a form with extra headers. */
    Page post(String path, Map<String, String> fields, Map<String, String> headers) {
        StringBuilder sb = new StringBuilder();
        for (var e : fields.entrySet()) {
            if (!sb.isEmpty()) sb.append('&');
            sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUrl() + path)).header("Accept", "text/html")
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(sb.toString()));
        headers.forEach(b::header);
        return send(b.build());
    }

    /** Posts a multipart form with files. */
    Page upload(String path, Map<String, String> fields, Map<String, byte[]> files) {
        String boundary = "----console" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (var e : fields.entrySet()) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\"\r\n\r\n" + e.getValue() + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        for (var f : files.entrySet()) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + f.getKey()
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(f.getValue());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(app.baseUrl() + path)).header("Accept", "text/html")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build());
    }

    /** Opens the sign-in form and signs in with {@code key}; answers the post's response (a redirect when it worked). */
    Page signIn(String key) {
        Page form = get("/console/sign-in");
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("_csrf", form.csrf());
        fields.put("next", "/console");
        fields.put("credential", key);
        return post("/console/sign-in", fields);
    }

    /** The CSRF token of the page at {@code path}. */
    String csrfOf(String path) {
        return get(path).csrf();
    }

    /** A server-sent event stream's status and its first event's lines (comments skipped); the stream is closed after it. */
    record Event(int status, String contentType, List<String> lines) {}

    Event firstEvent(String path) {
        try {
            HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + path))
                    .header("Accept", "text/event-stream").timeout(java.time.Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofLines());
            List<String> lines = new java.util.ArrayList<>();
            try (var body = r.body()) {
                var it = body.iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    if (line.isEmpty() && !lines.isEmpty()) break;
                    if (!line.isEmpty() && !line.startsWith(":")) lines.add(line);
                }
            }
            return new Event(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), lines);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The data of the first {@code count} "board" events of a stream; {@code afterFirst} runs once
     * the first has arrived (to change the board while the stream is open).
     */
    List<String> boardEvents(String path, int count, Runnable afterFirst) {
        try {
            HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + path))
                    .header("Accept", "text/event-stream").timeout(java.time.Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofLines());
            List<String> data = new java.util.ArrayList<>();
            try (var body = r.body()) {
                var it = body.iterator();
                while (data.size() < count && it.hasNext()) {
                    String line = it.next();
                    if (line.startsWith("data:")) {
                        data.add(line.substring(5).strip());
                        if (data.size() == 1) afterFirst.run();
                    }
                }
            }
            return data;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Page send(HttpRequest req) {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            return new Page(r.statusCode(), r.body(), r);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
