package dev.thrillring.db;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static dev.thrillring.db.schema.Tables.FACTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Raw SQL as the service's own database role: a tenant's setting shows that tenant and no other. */
class RowLevelSecurityTest {
    static TestServer app;
    static String tenantA;
    static String tenantB;

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        tenantA = app.createTenant("Tenant A", "bizosaas");
        tenantB = app.createTenant("Tenant B", "bizosaas");
        String keyA = app.issueKey(tenantA, "ingest");
        String keyB = app.issueKey(tenantB, "ingest");
        app.post("/api/v1/facts", keyA, "{\"id\":\"a-1\",\"tenant_id\":\"" + tenantA + "\",\"type\":\"user.active\"}");
        app.post("/api/v1/facts", keyB, "{\"id\":\"b-1\",\"tenant_id\":\"" + tenantB + "\",\"type\":\"user.active\"}");
    }

    static List<String> tenantsVisible(Connection c, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        String column = table.equals("tenants") ? "id" : "tenant_id";
        try (ResultSet rs = c.createStatement().executeQuery("SELECT DISTINCT " + column + "::text FROM " + table)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    static void scopeTo(Connection c, String tenant) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('app.tenant_id', ?, false)")) {
            ps.setString(1, tenant);
            ps.execute();
        }
    }

    /** Schema-wide: a table added later with a tenant column but no policy fails here, not in production. */
    @Test
    void shouldGuardEveryTableThatHoldsTenantRowsWithAForcedPolicy() throws Exception {
        List<String> unguarded = new ArrayList<>();
        int guarded = 0;
        try (Connection c = app.ownerConnection(); ResultSet rs = c.createStatement().executeQuery("""
                SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                   AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
                 ORDER BY 1""")) {
            while (rs.next()) {
                if (rs.getBoolean(2) && rs.getBoolean(3) && rs.getLong(4) > 0) guarded++;
                else unguarded.add(rs.getString(1) + " (rls " + rs.getBoolean(2) + ", forced " + rs.getBoolean(3) + ", policies " + rs.getLong(4) + ")");
            }
        }
        assertThat(unguarded).isEmpty();
        assertThat(guarded).isGreaterThan(15);
    }

    @Test
    void shouldShowTenantAOnlyItsOwnRows() throws Exception {
        try (Connection c = app.appConnection()) {
            scopeTo(c, tenantA);
            for (String table : List.of("tenants", "api_keys", "facts", "decisions")) {
                assertThat(tenantsVisible(c, table)).as(table).containsExactly(tenantA);
            }
        }
    }

    @Test
    void shouldShowNothingWhenTheTenantIsNotSet() throws Exception {
        try (Connection c = app.appConnection()) {
            for (String table : List.of("tenants", "api_keys", "facts", "decisions", "events")) {
                assertThat(tenantsVisible(c, table)).as(table).isEmpty();
            }
        }
    }

    @Test
    void shouldRefuseWritingAnotherTenantsRows() throws Exception {
        try (Connection c = app.appConnection()) {
            scopeTo(c, tenantA);
            assertThatThrownBy(() -> c.createStatement().execute(
                    "INSERT INTO facts (tenant_id, fact_id, type, occurred_at, attributes, payload_hash) VALUES ('"
                            + tenantB + "', 'sneaky', 'x', now(), '{}', 'h')"))
                    .hasMessageContaining("row-level security");
            assertThat(c.createStatement().executeUpdate("UPDATE tenants SET name = 'hacked' WHERE id = '" + tenantB + "'")).isZero();
        }
    }

    @Test
    void shouldKeepEveryLogAndLedgerAppendOnlyForTheService() throws Exception {
        List<String> writable = new ArrayList<>();
        try (Connection c = app.ownerConnection()) {
            for (String table : List.of("facts", "decisions", "events", "audit_log", "platform_audit_log", "reward_ledger")) {
                for (String privilege : List.of("UPDATE", "DELETE", "TRUNCATE")) {
                    try (PreparedStatement st = c.prepareStatement("SELECT has_table_privilege('thrillring_app', ?, ?)")) {
                        st.setString(1, table);
                        st.setString(2, privilege);
                        ResultSet rs = st.executeQuery();
                        rs.next();
                        if (rs.getBoolean(1)) writable.add(privilege + " " + table);
                    }
                }
            }
        }
        assertThat(writable).isEmpty();
    }

    @Test
    void shouldKeepFactsAppendOnlyForTheService() throws Exception {
        try (Connection c = app.appConnection()) {
            scopeTo(c, tenantA);
            assertThatThrownBy(() -> c.createStatement().execute("DELETE FROM facts"))
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void shouldRunTheServiceAsARoleThatCannotBypassRls() throws Exception {
        try (Connection c = app.appConnection();
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isFalse();
            assertThat(rs.getBoolean(2)).isFalse();
        }
    }

    @Test
    void shouldQueryTheMigratedSchemaWithTypedJooq() throws Exception {
        try (Connection c = app.appConnection()) {
            scopeTo(c, tenantB);
            var dsl = org.jooq.impl.DSL.using(c, org.jooq.SQLDialect.POSTGRES);
            assertThat(dsl.select(FACTS.FACT_ID).from(FACTS).fetch(FACTS.FACT_ID)).containsExactly("b-1");
        }
    }
}
