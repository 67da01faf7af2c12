package dev.thrillring.faults;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow clients (a request trickled byte by byte and then stalled mid-body, and clients that never
 * read their answer) hold only their own connections: other clients' facts are decided meanwhile
 * and nothing half-sent is stored.
 */
class SlowClientsTest {
    private static final int SLOW = 64;

    @Test
    void shouldServeOthersWhileSlowClientsStall() throws Exception {
        TestServer app = TestServer.shared();
        String tenant = app.createTenant("Slow clients", "coreldove");
        String key = app.issueKey(tenant, "ingest");
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < SLOW; i++) {
                Socket s = new Socket("127.0.0.1", app.server.port());
                s.setSoTimeout(100);
                OutputStream out = s.getOutputStream();
                String body = "{\"id\":\"slow-" + i + "\",\"tenant_id\":\"" + tenant + "\",\"type\":\"order.shipped\"}";
                String head = "POST /api/v1/facts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
                // Headers in full, then half the body: the server waits for the rest.
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body.substring(0, body.length() / 2).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                slow.add(s);
            }
            // Clients that ask for answers and never read them.
            for (int i = 0; i < SLOW / 4; i++) {
                Socket s = new Socket("127.0.0.1", app.server.port());
                s.setReceiveBufferSize(1024);
                s.getOutputStream().write(("GET /api/v1/tenants/" + tenant + "/decisions?limit=500 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + key + "\r\n\r\n").repeat(20).getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                var r = app.post("/api/v1/facts", key, "{\"id\":\"fast-" + i + "\",\"tenant_id\":\"" + tenant + "\",\"type\":\"order.shipped\"}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
            }
            System.out.printf("50 facts decided in %d ms while %d slow clients stalled%n", (System.nanoTime() - t0) / 1_000_000, slow.size());
            assertThat(app.get("/ready", null).status()).isEqualTo(200);
        } finally {
            for (Socket s : slow) s.close();
        }
        try (var c = app.ownerConnection(); var rs = c.createStatement().executeQuery(
                "SELECT count(*) FILTER (WHERE fact_id LIKE 'fast-%'), count(*) FILTER (WHERE fact_id LIKE 'slow-%') FROM facts WHERE tenant_id = '"
                        + tenant + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(50);
            assertThat(rs.getInt(2)).as("half-sent facts are not stored").isZero();
        }
    }
}
