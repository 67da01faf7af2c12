package dev.thrillring.achievements;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An analyst edits the platform's achievement table in a spreadsheet program while the service
 * runs (development mode): the next facts unlock by the new thresholds, and a lowered threshold
 * is backfilled for subjects that already meet it.
 */
class AnalystTableEditTest {

    @Test
    void shouldApplyAnEditedThresholdLiveAndBackfillALoweredOne() throws Exception {
        Path root = TestServer.tempDir();
        copy(Path.of("rules"), root.resolve("rules"));
        copy(Path.of("decision-tables"), root.resolve("decision-tables"));
        Path table = root.resolve("decision-tables/coreldove/achievement-thresholds.drl.xlsx");
        try (TestServer app = TestServer.start(TestServer.tempDir(), root.resolve("rules"), root.resolve("decision-tables"), true)) {
            String tenant = app.createTenant("Editing", "coreldove");
            String ingest = app.issueKey(tenant, "ingest");
            String viewer = app.issueKey(tenant, "viewer");
            for (int i = 0; i < 5; i++) order(app, tenant, ingest, "veteran", "v-" + i);

            setThreshold(table, "first-sale", "first-sale, orders_shipped, 2, all_time");
            setThreshold(table, "orders-bronze", "orders-bronze, orders_shipped, 4, all_time");
            // The two saves may reach the watcher as one change or as two: wait until both are live.
            boolean applied = false;
            for (int i = 0; i < 300 && !applied; i++) {
                Thread.sleep(100);
                var catalogue = app.get("/api/v1/gamification/achievements", viewer).json().get("achievements");
                int edited = 0;
                for (var a : catalogue) {
                    double threshold = a.get("trigger_conditions").get("threshold").asDouble();
                    if (a.get("key").asText().equals("first-sale") && threshold == 2.0) edited++;
                    if (a.get("key").asText().equals("orders-bronze") && threshold == 4.0) edited++;
                }
                applied = edited == 2;
            }
            assertThat(applied).as("the edited table was not picked up").isTrue();

            assertThat(order(app, tenant, ingest, "newcomer", "n-1").json().get("outcomes").toString()).doesNotContain("\"kind\":\"unlock\"");
            assertThat(order(app, tenant, ingest, "newcomer", "n-2").json().get("outcomes").toString())
                    .contains("\"kind\":\"unlock\"", "\"achievement\":\"first-sale\"");

            Response veteran = app.get("/api/v1/gamification/achievements/progress/" + tenant + "?user_id=veteran", viewer);
            assertThat(veteran.json().get("unlocked_achievements").toString()).contains("\"key\":\"orders-bronze\"", "\"backfilled\":true");
        }
    }

    static Response order(TestServer app, String tenant, String key, String user, String id) {
        return app.post("/api/v1/facts", key, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"" + user
                + "\",\"type\":\"order.shipped\"}");
    }

    /** Rewrites the first cell of the achievement's row, as an analyst would in a spreadsheet program. */
    static void setThreshold(Path xlsx, String key, String cell) throws Exception {
        Workbook wb;
        try (InputStream in = Files.newInputStream(xlsx)) {
            wb = WorkbookFactory.create(in);
        }
        boolean found = false;
        for (Row row : wb.getSheetAt(0)) {
            Cell first = row.getCell(0);
            if (first != null && first.toString().startsWith(key + ",")) {
                first.setCellValue(cell);
                found = true;
            }
        }
        assertThat(found).isTrue();
        Path tmp = xlsx.resolveSibling("edit.tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            wb.write(out);
        }
        wb.close();
        Files.move(tmp, xlsx, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }
}
