package dev.thrillring.engine;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code java -jar thrillring.jar rules validate|test DIR}, as a rule author runs it in a repository. */
class RulesCommandTest {
    final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    int run(String... args) {
        return new RulesCommand(new PrintStream(buffer, true, StandardCharsets.UTF_8)).run(List.of(args));
    }

    String output() { return buffer.toString(StandardCharsets.UTF_8); }

    @Test
    void shouldValidateAndTestTheShippedPlatformRules() throws Exception {
        Path dir = TestServer.tempDir();
        Files.writeString(dir.resolve("points.scenario.json"), """
                {"name": "an order ships", "facts": [{"type": "order.shipped", "attributes": {"value": 30}}],
                 "expect": {"fired": ["Shipped orders count"], "outcomes": [{"kind": "points", "amount": 10}],
                            "metrics": {"orders_shipped": 1, "revenue": 30}}}
                """);
        assertThat(run("test", dir.toString(), "--base", "rules/_common", "--base", "rules/coreldove", "--base", "decision-tables/_common", "--base", "decision-tables/coreldove")).as(output()).isZero();
        assertThat(output()).contains("PASS points.scenario.json: an order ships", "1 passed, 0 failed");
    }

    @Test
    void shouldWriteTheGeneratedWorkbookOfAShippedTable() throws Exception {
        Path dir = TestServer.tempDir();
        Path xlsx = dir.resolve("fact-points.drl.xlsx"), ods = dir.resolve("fraud-indicators.drl.ods");
        assertThat(run("xlsx", "decision-tables/coreldove/fact-points.drl.csv", xlsx.toString())).as(output()).isZero();
        assertThat(run("xlsx", "decision-tables/_common/fraud-indicators.drl.csv", ods.toString())).as(output()).isZero();
        try (var wb = org.apache.poi.ss.usermodel.WorkbookFactory.create(xlsx.toFile())) {
            var sheet = wb.getSheetAt(0);
            assertThat(sheet.getRow(9).getCell(0).getStringCellValue()).isEqualTo("Fact type");
            assertThat(sheet.getRow(1).getZeroHeight()).isTrue();
            assertThat(wb.getSheet("Notes")).isNotNull();
        }
        var sheet = new com.github.miachm.sods.SpreadSheet(ods.toFile()).getSheet(0);
        assertThat(sheet.getRange(9, 2).getValue()).isEqualTo("Indicator");
        assertThat(sheet.getRange(9, 3).getValue()).isEqualTo("Weight");
        assertThat(run("xlsx", "decision-tables/coreldove/fact-points.drl.csv", dir.resolve("x.pdf").toString())).isEqualTo(2);
    }

    @Test
    void shouldExitNonZeroOnAFailingScenario() throws Exception {
        Path dir = TestServer.tempDir();
        Files.writeString(dir.resolve("wrong.scenario.json"), """
                [{"name": "wrong points", "facts": [{"type": "order.shipped"}], "expect": {"outcomes": [{"kind": "points", "amount": 11}]}}]
                """);
        assertThat(run("test", dir.toString(), "--base", "rules/_common", "--base", "rules/coreldove", "--base", "decision-tables/_common", "--base", "decision-tables/coreldove")).isEqualTo(1);
        assertThat(output()).contains("FAIL wrong.scenario.json: wrong points", "0 passed, 1 failed");
    }

    @Test
    void shouldExitNonZeroWithLocatedErrors() throws Exception {
        Path dir = TestServer.tempDir();
        Files.writeString(dir.resolve("bad.drl"), "package x;\nrule \"a\" when\n  Nope()\nthen end\n");
        Files.writeString(dir.resolve("evil.drl"), "package y;\nrule \"b\" when then System.exit(0); end\n");
        assertThat(run("validate", dir.toString())).isEqualTo(1);
        assertThat(output()).contains("ERROR evil.drl:2: statement calling 'System.exit(0)' is not allowed", "ERROR bad.drl:3: pattern type 'Nope' is not allowed");
        assertThat(run("validate", "/no/such/folder")).isEqualTo(2);
    }

    @Test
    void shouldTestEveryShippedPlatformWithItsTablesAndSharedFiles() {
        assertThat(run("test")).as(output()).isZero();
        assertThat(output()).contains("== summary", "bizoholic: ", "bizosaas: ", "coreldove: ", "scenarios passed").doesNotContain("FAILED", "FAIL ");
    }

    @Test
    void shouldExitNonZeroWhenAFolderHoldsNothingToTest() {
        assertThat(run("test", "decision-tables")).as(output()).isEqualTo(1);
        assertThat(output()).contains("nothing was tested");
    }

    @Test
    void shouldApplyTheSchemaChecksWhenValidating() throws Exception {
        Path dir = TestServer.tempDir();
        Files.writeString(dir.resolve("fact-points.drl.csv"), Files.readString(Path.of("decision-tables/coreldove/fact-points.drl.csv"))
                .replaceFirst("(?m)^(order\\.shipped),10$", "$1,10 points"));
        assertThat(run("validate", dir.toString())).isEqualTo(1);
        assertThat(output()).contains("fact-points.drl.csv cell B11 (Points): Points must be a whole number; found '10 points'");
    }
}
