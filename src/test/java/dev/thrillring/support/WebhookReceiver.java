package dev.thrillring.support;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * A real webhook receiver on loopback: records every request it gets and answers as told
 * (status, delay, Retry-After), per request number, so a test can make it fail, time out, answer
 * 410 or 429, and recover.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One answer: the status, how long to wait before it, an optional Retry-After and body ("answer status" when null). */
    public record Reply(int status, Duration delay, String retryAfter, String body) {
        public Reply(int status, Duration delay, String retryAfter) { this(status, delay, retryAfter, null); }
        public static Reply body(int s, String body) { return new Reply(s, Duration.ZERO, null, body); }
        public static Reply ok() { return new Reply(200, Duration.ZERO, null); }
        public static Reply status(int s) { return new Reply(s, Duration.ZERO, null); }
    }

    /** A request as received: headers with lower-case names (as the verifier reads them), the raw body, when. */
    public record Received(Map<String, List<String>> headers, String body, Instant at, int status) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.getFirst();
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile IntFunction<Reply> behaviour = n -> Reply.ok();

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            int n = count.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Reply reply = behaviour.apply(n);
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            received.add(new Received(headers, body, Instant.now(), reply.status()));
            try {
                if (!reply.delay().isZero()) Thread.sleep(reply.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (reply.retryAfter() != null) exchange.getResponseHeaders().add("Retry-After", reply.retryAfter());
            byte[] out = (reply.body() != null ? reply.body() : "answer " + reply.status()).getBytes(StandardCharsets.UTF_8);
            try {
                exchange.sendResponseHeaders(reply.status(), out.length);
                exchange.getResponseBody().write(out);
            } catch (IOException gone) {
                // the sender gave up (timeout): nothing to answer
            }
            exchange.close();
        });
        server.start();
    }

    /** Answers request number n (1-based, counted over the receiver's life) with {@code behaviour.apply(n)}. */
    public WebhookReceiver answer(IntFunction<Reply> behaviour) {
        this.behaviour = behaviour;
        return this;
    }

    public String url() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook"; }

    public List<Received> received() { return new ArrayList<>(received); }

    /** Waits until at least {@code n} received requests match, or fails after {@code within}. */
    public List<Received> await(Predicate<Received> which, int n, Duration within) {
        Instant end = Instant.now().plus(within);
        while (true) {
            List<Received> match = received.stream().filter(which).toList();
            if (match.size() >= n) return match;
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("expected " + n + " matching requests within " + within + ", got " + match.size()
                        + " of " + received.size() + ": " + received.stream().map(r -> r.status() + " " + r.body()).toList());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override public void close() { server.stop(0); }
}
