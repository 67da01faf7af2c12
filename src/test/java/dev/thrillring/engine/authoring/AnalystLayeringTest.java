package dev.thrillring.engine.authoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.miachm.sods.SpreadSheet;
import dev.thrillring.engine.authoring.AnalystWorkbooks.Mistake;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through the API, as an analyst works: download a table generated from its schema, edit a cell,
 * upload it as the tenant's overlay, activate it, and see the tenant's row win over the platform's
 * by key, with each row's origin in the version view and the change listed by meaning. And every
 * refused mistake, should it reach activation stored (a version from before a check existed), is
 * a 422 there too, never a 500.
 */
class AnalystLayeringTest {
    private static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    @Test
    void shouldLetATenantRaiseAShippedThresholdByItsKeyThroughADownloadedWorkbook() throws Exception {
        TestServer app = TestServer.shared();
        String tenant = app.createTenant("Layered Ads", AnalystWorkbooks.PLATFORM);
        String analyst = app.issueKey(tenant, "analyst");
        String admin = app.issueKey(tenant, "tenant_admin");
        String ingest = app.issueKey(tenant, "ingest");
        String rulesets = "/api/v1/rulesets/" + tenant;

        TestServer.Download base = app.download(rulesets + "/tables/achievement-thresholds?layer=base", analyst);
        assertThat(base.status()).isEqualTo(200);
        assertThat(base.header("Content-Type")).startsWith(XLSX);
        assertThat(base.header("Content-Disposition")).isEqualTo("attachment; filename=\"achievement-thresholds.drl.xlsx\"");
        byte[] edited = editRow(base.body(), "campaigns-bronze", 2, 12.0);

        Response upload = app.upload(rulesets + "/versions", analyst, Map.of("achievement-thresholds.drl.xlsx", edited), "bronze takes 12");
        assertThat(upload.status()).as(upload.body()).isEqualTo(201);
        JsonNode change = upload.json().get("changes").get("tables").get(0);
        assertThat(change.get("table").asText()).isEqualTo("achievement-thresholds");
        assertThat(change.get("rows")).hasSize(1);
        assertThat(change.get("rows").get(0).get("key").asText()).isEqualTo("campaigns-bronze");
        assertThat(change.get("rows").get(0).get("change").asText()).isEqualTo("changed");
        assertThat(change.get("rows").get(0).get("cells").get(0).get("before").asText()).isEqualTo("campaigns-bronze, campaigns_launched, 10, all_time");
        assertThat(change.get("rows").get(0).get("cells").get(0).get("after").asText()).isEqualTo("campaigns-bronze, campaigns_launched, 12, all_time");
        assertThat(upload.json().get("warnings")).isEmpty();
        int version = upload.json().get("version").asInt();
        Response activated = app.post(rulesets + "/versions/" + version + "/activate", admin, "");
        assertThat(activated.status()).as(activated.body()).isEqualTo(200);

        JsonNode view = app.get(rulesets + "/versions/" + version, analyst).json();
        JsonNode achievements = table(view.get("tables"), "achievement-thresholds");
        assertThat(origin(achievements, "campaigns-bronze")).isEqualTo("tenant v" + version);
        assertThat(origin(achievements, "first-campaign")).isEqualTo("shipped");
        assertThat(origin(table(view.get("tables"), "fraud-indicators"), "signal_same_ip")).isEqualTo("shipped");

        // The raised threshold wins: ten launches no longer unlock the bronze badge, twelve do.
        for (int i = 1; i <= 12; i++) {
            Response d = app.post("/api/v1/facts", ingest, "{\"id\":\"launch-" + i + "\",\"tenant_id\":\"" + tenant
                    + "\",\"user_id\":\"ann\",\"type\":\"campaign.launched\",\"attributes\":{}}");
            assertThat(d.status()).as(d.body()).isIn(200, 201);
            boolean unlocked = unlocks(d.json(), "campaigns-bronze");
            assertThat(unlocked).as("launch " + i + ": " + d.body()).isEqualTo(i == 12);
        }

        // Served tables show the tenant's row; the analyst's next download starts from it.
        TestServer.Download served = app.download(rulesets + "/tables/achievement-thresholds.drl.xlsx", analyst);
        assertThat(thresholdOf(served.body(), "campaigns-bronze")).isEqualTo(12.0);
        assertThat(origin(table(app.get(rulesets + "/tables", analyst).json().get("tables"), "achievement-thresholds"), "campaigns-bronze"))
                .isEqualTo("tenant v" + version);

        // An OpenDocument file downloaded, edited with an ODF library and uploaded: fact points change for this tenant.
        TestServer.Download ods = app.download(rulesets + "/tables/fact-points?format=ods", analyst);
        assertThat(ods.header("Content-Disposition")).isEqualTo("attachment; filename=\"fact-points.drl.ods\"");
        SpreadSheet ss = new SpreadSheet(new ByteArrayInputStream(ods.body()));
        assertThat(ss.getSheet(0).getRange(10, 0).getValue()).isEqualTo("campaign.launched");
        ss.getSheet(0).getRange(10, 1).setValue(70.0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ss.save(out);
        Response v2 = app.upload(rulesets + "/versions", analyst,
                Map.of("achievement-thresholds.drl.xlsx", edited, "fact-points.drl.ods", out.toByteArray()), "launches earn 70");
        assertThat(v2.status()).as(v2.body()).isEqualTo(201);
        assertThat(app.post(rulesets + "/versions/" + v2.json().get("version").asInt() + "/activate", admin, "").status()).isEqualTo(200);
        Response d = app.post("/api/v1/facts", ingest, "{\"id\":\"launch-13\",\"tenant_id\":\"" + tenant
                + "\",\"user_id\":\"ann\",\"type\":\"campaign.launched\",\"attributes\":{}}");
        assertThat(points(d.json())).as(d.body()).contains(70.0).doesNotContain(50.0);
    }

    @Test
    void shouldWarnWhenAVersionDropsManyRowsAndDiffByMeaning() throws Exception {
        TestServer app = TestServer.shared();
        String tenant = app.createTenant("Dropping Ads", AnalystWorkbooks.PLATFORM);
        String analyst = app.issueKey(tenant, "analyst");
        String platformKey = app.post("/api/v1/platforms/" + AnalystWorkbooks.PLATFORM + "/api-keys", TestServer.ADMIN_KEY, "").json().get("api_key").asText();
        String platform = "/api/v1/platforms/" + AnalystWorkbooks.PLATFORM + "/rulesets";
        TestServer.Download fraud = app.download(platform + "/tables/fraud-indicators", platformKey);
        assertThat(fraud.status()).isEqualTo(200);
        // Delete the last 10 of 15 rows, as "Delete rows" does.
        byte[] shortened;
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(fraud.body())); ByteArrayOutputStream o = new ByteArrayOutputStream()) {
            Sheet s = wb.getSheetAt(0);
            for (int r = 15; r <= s.getLastRowNum(); r++) if (s.getRow(r) != null) s.removeRow(s.getRow(r));
            wb.write(o);
            shortened = o.toByteArray();
        }
        Response up = app.upload(platform + "/versions", platformKey, Map.of("fraud-indicators.drl.xlsx", shortened), "fewer indicators");
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        assertThat(up.json().get("warnings").get(0).asText()).contains("fraud-indicators", "fewer");
        JsonNode rows = up.json().get("changes").get("tables").get(0).get("rows");
        assertThat(rows).allSatisfy(r -> assertThat(r.get("change").asText()).isEqualTo("removed"));
        assertThat(rows.size()).isGreaterThanOrEqualTo(10);
        int v = up.json().get("version").asInt();
        JsonNode view = app.get(platform + "/versions/" + v, platformKey).json();
        assertThat(origin(table(view.get("tables"), "fraud-indicators"), "signal_same_ip")).isEqualTo("platform v" + v);
        assertThat(origin(table(view.get("tables"), "fact-points"), "campaign.launched")).isEqualTo("shipped");
        // The tenant's analyst reads the platform's table (not its own layer) but cannot upload base versions.
        assertThat(app.download("/api/v1/rulesets/" + tenant + "/tables/fraud-indicators?layer=base&format=csv", analyst).status()).isEqualTo(200);
        assertThat(app.upload(platform + "/versions", analyst, Map.of("fraud-indicators.drl.xlsx", shortened), "x").status()).isEqualTo(403);
        assertThat(app.get("/api/v1/rulesets/" + tenant + "/tables/no-such-table", analyst).status()).isEqualTo(404);
        assertThat(app.get("/api/v1/rulesets/" + tenant + "/tables/fact-points?format=pdf", analyst).status()).isEqualTo(422);
    }

    @Test
    void shouldAnswerEveryMistakeStoredBeforeItsCheckWith422AtActivation() throws Exception {
        TestServer app = TestServer.shared();
        String tenant = app.createTenant("Old Versions", AnalystWorkbooks.PLATFORM);
        String admin = app.issueKey(tenant, "tenant_admin");
        List<Mistake> mistakes = AnalystWorkbooks.mistakes();
        List<String> problems = new ArrayList<>();
        int version = 0;
        for (Mistake m : mistakes) {
            version++;
            store(app, UUID.fromString(tenant), version, m.file(), m.content());
            Response r = app.post("/api/v1/rulesets/" + tenant + "/versions/" + version + "/activate", admin, "");
            if (r.status() != 422) problems.add(m.name() + ": " + r.status() + " " + r.body());
            else if (!r.body().contains("\"cell\":\"" + m.cell() + "\"")) problems.add(m.name() + ": no cell " + m.cell() + " in " + r.body());
            Response dry = app.post("/api/v1/rulesets/" + tenant + "/dry-run", admin,
                    "{\"version\":" + version + ",\"facts\":[{\"type\":\"campaign.launched\"}]}");
            if (dry.status() != 422) problems.add(m.name() + " (dry run): " + dry.status() + " " + dry.body());
        }
        assertThat(problems).isEmpty();
        assertThat(app.get("/api/v1/rulesets/" + tenant + "/tables", admin).status()).isEqualTo(200);
    }

    /** A version stored as an older release would have stored it, without today's checks. */
    private static void store(TestServer app, UUID tenant, int version, String path, byte[] content) throws Exception {
        try (Connection c = app.ownerConnection()) {
            try (PreparedStatement v = c.prepareStatement("INSERT INTO rule_set_versions (tenant_id, version, checksum, author) VALUES (?, ?, 'old', 'old release')")) {
                v.setObject(1, tenant);
                v.setInt(2, version);
                v.executeUpdate();
            }
            String kind = path.substring(path.lastIndexOf('.') + 1);
            try (PreparedStatement f = c.prepareStatement("INSERT INTO rule_set_resources (tenant_id, version, path, kind, content) VALUES (?, ?, ?, ?, ?)")) {
                f.setObject(1, tenant);
                f.setInt(2, version);
                f.setString(3, path);
                f.setString(4, kind);
                f.setBytes(5, content);
                f.executeUpdate();
            }
        }
    }

    private static JsonNode table(JsonNode tables, String name) {
        for (JsonNode t : tables) if (t.get("table").asText().equals(name)) return t;
        throw new AssertionError("no table " + name + " in " + tables);
    }

    private static String origin(JsonNode table, String key) {
        for (JsonNode r : table.get("rows")) if (r.get("key").asText().equals(key)) return r.get("origin").asText();
        throw new AssertionError("no row " + key + " in " + table);
    }

    private static boolean unlocks(JsonNode decision, String achievement) {
        for (JsonNode o : decision.get("outcomes")) {
            if (o.get("kind").asText().equals("unlock") && o.get("details").get("achievement").asText().equals(achievement)) return true;
        }
        return false;
    }

    private static List<Double> points(JsonNode decision) {
        List<Double> out = new ArrayList<>();
        for (JsonNode o : decision.get("outcomes")) if (o.get("kind").asText().equals("points")
                && o.get("details").get("reason").asText().equals("fact points")) out.add(o.get("details").get("amount").asDouble());
        return out;
    }

    private static Row row(Sheet s, String key) {
        for (int r = 10; r <= s.getLastRowNum(); r++) {
            Row row = s.getRow(r);
            if (row != null && row.getCell(0) != null && key.equals(row.getCell(0).getStringCellValue())) return row;
        }
        throw new AssertionError("no row " + key);
    }

    private static byte[] editRow(byte[] book, String key, int column, double value) throws Exception {
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(book)); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            row(wb.getSheetAt(0), key).getCell(column).setCellValue(value);
            wb.write(out);
            return out.toByteArray();
        }
    }

    private static double thresholdOf(byte[] book, String key) throws Exception {
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(book))) {
            return row(wb.getSheetAt(0), key).getCell(2).getNumericCellValue();
        }
    }
}
