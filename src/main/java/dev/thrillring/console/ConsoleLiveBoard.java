package dev.thrillring.console;

import dev.thrillring.auth.Principal;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.web.JteRenderer;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;

import java.time.Duration;
import java.util.Map;

/**
 * The boards page live over SSE: {@code .../boards/live} sends the board, rendered as the page
 * renders it, each time it changes (looked at every second), and a comment every 15 s otherwise.
 * A stream ends after 5 minutes or with its session; the browser's EventSource then reconnects
 * through the same access check as any page, so a revoked key or an ended session stops it.
 */
final class ConsoleLiveBoard {
    static final String PATH = ConsolePaths.ROOT + "/tenants/{tenant_id}/boards/live";
    static final Duration EVERY = Duration.ofSeconds(1);
    static final Duration LIFETIME = Duration.ofMinutes(5);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private final ConsoleRoutes pages;
    private final ConsoleService service;
    private final JteRenderer renderer = new JteRenderer();

    ConsoleLiveBoard(ConsoleRoutes pages, ConsoleService service) {
        this.pages = pages;
        this.service = service;
    }

    void register(RoutesConfig routes) {
        routes.get(PATH, this::stream, ConsoleRoutes.READERS);
    }

    private void stream(Context ctx) throws Exception {
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) throw new Problem.NotAcceptable("Accept: this route answers text/event-stream only");
        Tenant t = pages.tenant(ctx);
        Principal p = Requests.principal(ctx);
        String type = ConsoleRoutes.boardType(ctx.queryParam("type"));
        String period = ctx.queryParam("time_period") == null || ctx.queryParam("time_period").isBlank() ? null : ctx.queryParam("time_period");
        // The board is read once before the stream opens: a wrong period answers a problem, not a stream.
        service.board(p, t, type, period);
        java.util.function.BooleanSupplier sessionAlive = pages.sessionCheck(ctx);
        new SseHandler(client -> {
            // The request ends when this callback returns; the stream lives on its own thread until closed.
            client.keepAlive();
            Thread.ofVirtual().name("console-board-stream").start(() -> follow(client, sessionAlive, p, t, type, period));
        }).handle(ctx);
    }

    private void follow(SseClient client, java.util.function.BooleanSupplier sessionAlive, Principal p, Tenant t, String type, String period) {
        long end = System.nanoTime() + LIFETIME.toNanos();
        long quietSince = System.nanoTime();
        String last = null;
        try {
            while (!client.terminated() && System.nanoTime() < end && sessionAlive.getAsBoolean()) {
                var board = new ConsoleViews.Board(type, period == null ? "" : period, service.board(p, t, type, period), ConsoleRoutes.BOARDS);
                String html = renderer.render("console/boardRows.jte", Map.of("board", board), null).replace('\n', ' ');
                if (!html.equals(last)) {
                    client.sendEvent("board", html);
                    last = html;
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince > HEARTBEAT.toNanos()) {
                    client.sendComment("still here");
                    quietSince = System.nanoTime();
                }
                Thread.sleep(EVERY.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The board could not be read (the database, or the caller's reach changed): the stream ends and EventSource comes back through the access check.
        } finally {
            client.close();
        }
    }
}
