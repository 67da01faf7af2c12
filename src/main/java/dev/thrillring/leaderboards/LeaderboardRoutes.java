package dev.thrillring.leaderboards;

import dev.thrillring.web.Requests;
import dev.thrillring.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** The seed's {@code GET /api/v1/gamification/leaderboards} and a tenant's privacy choice. */
public final class LeaderboardRoutes {
    private final LeaderboardService service;

    private LeaderboardRoutes(LeaderboardService service) { this.service = service; }

    public static void register(RoutesConfig routes, LeaderboardService service) {
        LeaderboardRoutes r = new LeaderboardRoutes(service);
        routes.get("/api/v1/gamification/leaderboards", r::leaderboard,
                Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER, Role.INGEST);
        // The seed's unprefixed path, an alias of the gateway's.
        routes.get("/leaderboards", r::leaderboard, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER, Role.INGEST);
        routes.put("/api/v1/tenants/{tenant_id}/leaderboard-privacy", r::privacy, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.post("/api/v1/tenants/{tenant_id}/leaderboards", r::createBoard, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.get("/api/v1/gamification/leaderboards/{board_key}/history", r::history, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER, Role.INGEST);
        routes.get("/api/v1/gamification/leaderboards/{board_key}/stream", r::stream,
                Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER, Role.INGEST);
        // For anyone: a platform's public boards, for pages that show them (pseudonyms unless opted in).
        routes.get("/api/v1/public/leaderboards/{platform}/{board_key}", r::publicBoard, Role.PUBLIC);
    }

    private void publicBoard(Context ctx) {
        int limit = ctx.queryParamAsClass("limit", Integer.class).getOrDefault(25);
        long afterRank = ctx.queryParamAsClass("after_rank", Long.class).getOrDefault(0L);
        if (limit < 1 || limit > 100) throw new dev.thrillring.problems.Problem.Invalid("limit", "must be from 1 to 100");
        if (afterRank < 0) throw new dev.thrillring.problems.Problem.Invalid("after_rank", "must be 0 or more");
        var board = service.publicBoard(Requests.namePath(ctx, "platform"), Requests.namePath(ctx, "board_key"), limit,
                ctx.queryParam("period"), afterRank);
        // Shared caches may keep it briefly; live changes are on the authenticated stream.
        ctx.header("Cache-Control", "public, max-age=5");
        ctx.json(board);
    }

    private void stream(Context ctx) throws Exception {
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new dev.thrillring.problems.Problem.NotAcceptable("Accept: this route answers text/event-stream only");
        }
        // The board is checked first: a wrong one answers a problem, not a 200 stream carrying an error.
        var board = service.liveBoard(Requests.principal(ctx), ctx.pathParam("board_key"), Requests.nameQuery(ctx, "platform"));
        String lastEventId = ctx.header("Last-Event-ID");
        new io.javalin.http.sse.SseHandler(client -> {
            client.keepAlive();
            service.subscribe(board, client, lastEventId);
        }).handle(ctx);
    }

    private void leaderboard(Context ctx) {
        int limit = ctx.queryParamAsClass("limit", Integer.class).getOrDefault(50);
        long afterRank = ctx.queryParamAsClass("after_rank", Long.class).getOrDefault(0L);
        int around = ctx.queryParamAsClass("around", Integer.class).getOrDefault(-1);
        if (afterRank < 0) throw new dev.thrillring.problems.Problem.Invalid("after_rank", "must be 0 or more");
        if (around > 50) throw new dev.thrillring.problems.Problem.Invalid("around", "must be at most 50");
        String industry = ctx.queryParam("industry");
        if (industry != null && (industry.isBlank() || industry.length() > 100 || industry.indexOf('\0') >= 0)) {
            throw new dev.thrillring.problems.Problem.Invalid("industry", "must have 1 to 100 characters");
        }
        var caller = Requests.principal(ctx);
        ctx.json(service.leaderboard(caller, Requests.nameQuery(ctx, "platform"), Requests.nameQuery(ctx, "leaderboard_type"),
                Requests.nameQuery(ctx, "time_period"), limit, ctx.queryParam("period"), caller.subjectFor(Requests.userIdQuery(ctx, "user_id")), industry,
                afterRank, around));
    }

    private void history(Context ctx) {
        int periods = ctx.queryParamAsClass("periods", Integer.class).getOrDefault(12);
        ctx.json(service.history(Requests.principal(ctx), ctx.pathParam("board_key"), Requests.nameQuery(ctx, "platform"),
                Requests.userIdQuery(ctx, "user_id"), periods));
    }

    private void createBoard(Context ctx) {
        var req = Requests.body(ctx, LeaderboardService.NewBoard.class);
        ctx.status(io.javalin.http.HttpStatus.CREATED).json(service.createBoard(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), req));
    }

    private record Privacy(Boolean optedIn, String displayName) {}

    private void privacy(Context ctx) {
        var req = Requests.body(ctx, Privacy.class);
        if (req.optedIn() == null) throw new dev.thrillring.problems.Problem.Invalid("opted_in", "is required");
        ctx.json(service.setPrivacy(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), req.optedIn(), req.displayName()));
    }
}
