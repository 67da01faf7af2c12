package dev.thrillring.webhooks;

import dev.thrillring.support.WebhookReceiver;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where a webhook may go and how it gets there: every internal address form is refused, a name
 * must resolve to loopback only to use loopback, the post connects to the checked address (never
 * resolving the name again), and one deadline covers the whole exchange. Real loopback receivers.
 */
class WebhookTargetTest {

    private static InetAddress ip(String s) throws Exception { return InetAddress.getByName(s); }

    @Test
    void shouldRefuseEveryInternalAddressFormIncludingIpv4CarriedInIpv6() throws Exception {
        for (String internal : List.of("0.1.2.3", "10.1.2.3", "198.18.0.1", "198.19.255.255", "255.255.255.255", "240.0.0.1",
                "239.255.255.250", "192.0.0.8", "::10.0.0.1", "::127.0.0.1", "::169.254.169.254", "64:ff9b::a00:1",
                "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:a00:1::1", "2002:7f00:1::", "2002:a9fe:a9fe::1", "ff02::1",
                "fec0::1", "2001:db8::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "100::1", "fd00:ec2::254", "::ffff:169.254.169.254")) {
            assertThat(EndpointUrl.internal(ip(internal))).as(internal).isTrue();
        }
        for (String external : List.of("93.184.216.34", "8.8.8.8", "198.20.0.1", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1")) {
            assertThat(EndpointUrl.internal(ip(external))).as(external).isFalse();
        }
        assertThat(EndpointUrl.refusal("https://[64:ff9b::a9fe:a9fe]/latest", true)).isPresent();
        assertThat(EndpointUrl.refusal("https://[2002:a9fe:a9fe::1]/latest", true)).isPresent();
        assertThat(EndpointUrl.refusal("https://198.18.0.1/hook", true)).isPresent();
    }

    @Test
    void shouldUseLoopbackOnlyWhenEveryAddressIsLoopback() throws Exception {
        InetAddress[] mixed = {ip("127.0.0.1"), ip("93.184.216.34")};
        InetAddress[] mixedOtherOrder = {ip("93.184.216.34"), ip("127.0.0.1")};
        assertThat(EndpointUrl.judge(mixed, true, true)).contains("resolves to a loopback address as well as others");
        assertThat(EndpointUrl.judge(mixedOtherOrder, true, true)).isPresent();
        assertThat(EndpointUrl.judge(mixed, false, true)).isPresent();
        assertThat(EndpointUrl.judge(new InetAddress[]{ip("127.0.0.1"), ip("::1")}, false, true)).isEmpty();
        assertThat(EndpointUrl.judge(new InetAddress[]{ip("127.0.0.1")}, true, false)).isPresent();
        assertThat(EndpointUrl.judge(new InetAddress[]{ip("93.184.216.34")}, true, false)).isEmpty();
        assertThat(EndpointUrl.judge(new InetAddress[]{ip("93.184.216.34")}, false, true)).isPresent(); // http only to loopback
        assertThat(EndpointUrl.refusal("http://localhost:8080/hook", true)).isEmpty();
        assertThat(EndpointUrl.refusal("http://127.0.0.1:0/hook", true)).isPresent();
        assertThat(EndpointUrl.refusal("http://127.0.0.1:70000/hook", true)).isPresent();
    }

    @Test
    void shouldConnectToTheCheckedAddressAndNeverResolveTheNameAgain() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            URI uri = URI.create(receiver.url());
            // A name that resolves nowhere: if the post looked it up again it could not connect.
            EndpointUrl.Target target = new EndpointUrl.Target(uri, false, "hooks.example.invalid", uri.getPort(), "/in?x=1",
                    List.of(InetAddress.getLoopbackAddress()));
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("webhook-id", "msg_1");
            WebhookPost.Answer a = WebhookPost.send(target, headers, "{\"a\":1}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
            assertThat(a.status()).isEqualTo(200);
            assertThat(new String(a.excerpt(), StandardCharsets.UTF_8)).isEqualTo("answer 200");
            WebhookReceiver.Received r = receiver.received().getFirst();
            assertThat(r.header("host")).isEqualTo("hooks.example.invalid:" + uri.getPort());
            assertThat(r.header("webhook-id")).isEqualTo("msg_1");
            assertThat(r.body()).isEqualTo("{\"a\":1}");
        }
    }

    @Test
    void shouldBoundTheWholeExchangeIncludingATricklingBody() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    in.readNBytes(1); // the request arrived
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    for (int i = 0; i < 400; i++) { // one byte every 100 ms: each read is quick, the whole is 40 s
                        out.write('x');
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (Exception gone) {
                    // the sender hung up at its deadline
                }
            });
            EndpointUrl.Target target = new EndpointUrl.Target(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"), false,
                    "127.0.0.1", server.getLocalPort(), "/", List.of(InetAddress.getLoopbackAddress()));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> WebhookPost.send(target, Map.of(), new byte[]{'{', '}'}, Duration.ofMillis(1500)))
                    .isInstanceOf(WebhookPost.TimedOut.class);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).isBetween(1400L, 4000L);
        }
    }

    @Test
    void shouldReadAChunkedAnswerUpToTheExcerpt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().readNBytes(1);
                    String big = "y".repeat(700);
                    s.getOutputStream().write(("HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\nRetry-After: 7\r\n\r\n"
                            + "5\r\nhello\r\n" + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                } catch (Exception gone) {
                    // done
                }
            });
            EndpointUrl.Target target = new EndpointUrl.Target(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"), false,
                    "127.0.0.1", server.getLocalPort(), "/", List.of(InetAddress.getLoopbackAddress()));
            WebhookPost.Answer a = WebhookPost.send(target, Map.of(), new byte[0], Duration.ofSeconds(5));
            assertThat(a.status()).isEqualTo(503);
            assertThat(a.header("Retry-After")).contains("7");
            assertThat(a.excerpt()).hasSize(WebhookPost.EXCERPT);
            assertThat(new String(a.excerpt(), StandardCharsets.ISO_8859_1)).startsWith("helloyyy");
        }
    }

    @Test
    void shouldTellATenantThatAPlatformEndpointWasDisabledWithoutItsUrl() {
        java.time.Instant now = java.time.Instant.now();
        Endpoint platform = new Endpoint(java.util.UUID.randomUUID(), null, "coreldove", "https://ops.platform.example/hook", null,
                List.of("*"), null, false, Endpoint.ACTIVE, null, "whsec_x", null, null, null, now);
        Endpoint own = new Endpoint(java.util.UUID.randomUUID(), java.util.UUID.randomUUID(), "coreldove", "https://tenant.example/hook",
                null, List.of("*"), null, false, Endpoint.ACTIVE, null, "whsec_x", null, null, null, now);
        Map<String, Object> p = Dispatcher.disabledData(platform, "the endpoint answered 410 Gone");
        assertThat(p).doesNotContainKey("url").containsEntry("platform_wide", true).containsEntry("endpoint_id", platform.id().toString());
        assertThat(p.toString()).doesNotContain("ops.platform.example");
        assertThat(Dispatcher.disabledData(own, "gone")).containsEntry("url", "https://tenant.example/hook").containsEntry("platform_wide", false);
    }
}
