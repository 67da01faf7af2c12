package dev.thrillring.rulesets;

import dev.thrillring.db.Listener;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RuleSetNotifierTest {

    @Test
    void shouldDeliverOtherNodesNotificationsAndResyncAfterLosingItsConnection() throws Exception {
        TestServer app = TestServer.shared();
        LinkedBlockingQueue<String> changed = new LinkedBlockingQueue<>();
        CountDownLatch resynced = new CountDownLatch(1);
        try (Connection c = app.ownerConnection();
             Listener listener = new Listener(app.server.database(), Map.of(RuleSetNotifier.CHANNEL, RuleSetNotifier.handler((t, g) -> changed.add(t + "@" + g), (p, g) -> {})),
                     resynced::countDown)) {
            // The shared server listens too: wait for one more listener, then send as another node would.
            int before = listeners(c);
            listener.start();
            for (int i = 0; i < 100 && listeners(c) <= before; i++) Thread.sleep(50);
            UUID tenant = UUID.randomUUID();
            c.createStatement().execute("NOTIFY " + RuleSetNotifier.CHANNEL + ", '" + tenant + "|other-node|41'");
            assertThat(changed.poll(5, TimeUnit.SECONDS)).isEqualTo(tenant + "@41");

            // Own notices are passed on too (the generation lets the receiver skip what it serves already).
            c.createStatement().execute("NOTIFY " + RuleSetNotifier.CHANNEL + ", '" + tenant + "|" + RuleSetNotifier.NODE + "|42'");
            assertThat(changed.poll(5, TimeUnit.SECONDS)).isEqualTo(tenant + "@42");
            c.createStatement().execute("NOTIFY " + RuleSetNotifier.CHANNEL + ", '" + tenant + "|old-node'");
            assertThat(changed.poll(5, TimeUnit.SECONDS)).as("a notice without a generation").isEqualTo(tenant + "@0");

            c.createStatement().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()");
            assertThat(resynced.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static int listeners(Connection c) throws Exception {
        var rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %'");
        rs.next();
        return rs.getInt(1);
    }
}
