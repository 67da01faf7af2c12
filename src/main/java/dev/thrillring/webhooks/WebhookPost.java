package dev.thrillring.webhooks;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One webhook POST over HTTP/1.1, to an address that {@link EndpointUrl#check} resolved and
 * passed: the socket connects to that address, never to what a second lookup of the name might
 * answer, while TLS still sends the host name (SNI) and verifies the certificate against it.
 *
 * <p>The whole exchange (connect, TLS handshake, request, status line, headers and the first
 * {@link #EXCERPT} bytes of the body) has one deadline: a watchdog closes the socket when it
 * passes, so a receiver trickling a byte at a time cannot hold the sender past it.
 */
final class WebhookPost {
    static final int EXCERPT = 500;
    static final int MAX_HEAD = 16 * 1024;

    /** Closes sockets whose exchange outlived its deadline. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r ->
            Thread.ofPlatform().daemon().name("webhook-deadline").unstarted(r));

    /** What the receiver answered: status, headers (lower-case names) and up to {@link #EXCERPT} bytes of body. */
    record Answer(int status, Map<String, String> headers, byte[] excerpt) {
        Optional<String> header(String name) { return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT))); }
    }

    /** The exchange did not finish within its deadline. */
    static final class TimedOut extends IOException {
        TimedOut() { super("timed out"); }
    }

    private WebhookPost() {}

    static Answer send(EndpointUrl.Target target, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Socket raw = new Socket();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> closeQuietly(raw), timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            connect(raw, target.addresses(), target.port(), deadline);
            Socket socket = target.https() ? tls(raw, target, deadline) : raw;
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(512);
            head.append("POST ").append(target.requestTarget()).append(" HTTP/1.1\r\n");
            head.append("Host: ").append(target.hostHeader()).append("\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n");
            head.append("Connection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = new Deadlined(socket, deadline);
            return read(in);
        } catch (IOException e) {
            if (System.nanoTime() - deadline >= 0 || e instanceof SocketTimeoutException) throw new TimedOut();
            throw e;
        } finally {
            watchdog.cancel(false);
            closeQuietly(raw);
        }
    }

    private static void connect(Socket socket, List<InetAddress> addresses, int port, long deadline) throws IOException {
        // Every address passed the check; the first is used (a socket that failed to connect is
        // closed, and the next attempt resolves and checks afresh).
        int left = remainingMillis(deadline);
        socket.connect(new InetSocketAddress(addresses.getFirst(), port), left);
        socket.setTcpNoDelay(true);
    }

    private static Socket tls(Socket raw, EndpointUrl.Target target, long deadline) throws IOException {
        SSLContext context;
        try {
            context = SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("TLS is not available", e);
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, target.host(), target.port(), true);
        SSLParameters p = tls.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host, not the address
        if (!literal(target.host())) p.setServerNames(List.of(new SNIHostName(target.host())));
        tls.setSSLParameters(p);
        raw.setSoTimeout(remainingMillis(deadline));
        tls.startHandshake();
        return tls;
    }

    private static boolean literal(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("not an HTTP/1.x response");
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status");
        }
        if (status < 100 || status > 999) throw new IOException("not an HTTP status");
        Map<String, String> headers = new LinkedHashMap<>();
        int total = statusLine.length();
        for (String h; !(h = line(in)).isEmpty(); ) {
            total += h.length();
            if (total > MAX_HEAD) throw new IOException("response headers larger than " + MAX_HEAD + " bytes");
            int colon = h.indexOf(':');
            if (colon > 0) headers.putIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        if (status >= 100 && status < 200) return read(in); // interim answer (100 Continue): the real one follows
        byte[] excerpt = "chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", "")) ? chunked(in) : plain(in, headers);
        return new Answer(status, headers, excerpt);
    }

    private static byte[] plain(InputStream in, Map<String, String> headers) throws IOException {
        int limit = EXCERPT;
        String length = headers.get("content-length");
        if (length != null) {
            try {
                limit = (int) Math.min(EXCERPT, Math.max(0, Long.parseLong(length)));
            } catch (NumberFormatException ignored) {
                // read up to the excerpt
            }
        }
        return in.readNBytes(limit);
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < EXCERPT) {
            String size = line(in);
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (n <= 0) break;
            byte[] chunk = in.readNBytes((int) Math.min(n, EXCERPT - out.size()));
            out.write(chunk);
            if (chunk.length < n) break;
            line(in);
        }
        return out.toByteArray();
    }

    /** One header line without its CRLF; bounded, so a receiver cannot make it grow without end. */
    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                int end = s.length();
                if (end > 0 && s.charAt(end - 1) == '\r') s.setLength(end - 1);
                return s.toString();
            }
            if (s.length() >= MAX_HEAD) throw new IOException("response line longer than " + MAX_HEAD + " bytes");
            s.append((char) c);
        }
        if (s.isEmpty()) throw new IOException("the connection closed before a complete answer");
        return s.toString();
    }

    private static int remainingMillis(long deadline) throws TimedOut {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) throw new TimedOut();
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The socket's input, each read bounded by what is left of the deadline (the watchdog is the backstop). */
    private static final class Deadlined extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final byte[] one = new byte[1];
        private final byte[] buffer = new byte[4096];
        private int pos;
        private int limit;

        Deadlined(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        private boolean fill() throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            int n = in.read(buffer);
            if (n <= 0) return false;
            pos = 0;
            limit = n;
            return true;
        }

        @Override public int read() throws IOException {
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (pos >= limit && !fill()) return -1;
            int n = Math.min(len, limit - pos);
            System.arraycopy(buffer, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
