package dev.thrillring.web;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTest {
    static final Set<String> PROXIES = Set.of("10.0.0.1", "10.0.0.2");

    @Test
    void shouldBelieveForwardedAddressesOnlyFromTrustedProxies() {
        assertThat(ClientAddress.resolve("198.51.100.7", "203.0.113.9", PROXIES)).as("an untrusted peer names itself").isEqualTo("198.51.100.7");
        assertThat(ClientAddress.resolve("10.0.0.1", null, PROXIES)).as("a proxy without a header").isEqualTo("10.0.0.1");
        assertThat(ClientAddress.resolve("10.0.0.1", "203.0.113.9", PROXIES)).isEqualTo("203.0.113.9");
        assertThat(ClientAddress.resolve("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", PROXIES))
                .as("the client's own entries come before the proxies' and are skipped").isEqualTo("203.0.113.9");
        assertThat(ClientAddress.resolve("10.0.0.1", " , 10.0.0.2", PROXIES)).as("only proxies: the peer").isEqualTo("10.0.0.1");
        assertThat(ClientAddress.resolve("10.0.0.1", "x".repeat(60), PROXIES)).as("no address is that long").isEqualTo("10.0.0.1");
    }
}
