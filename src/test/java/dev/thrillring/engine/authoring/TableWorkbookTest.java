package dev.thrillring.engine.authoring;

import com.github.miachm.sods.SpreadSheet;
import dev.thrillring.engine.CompiledRuleSet;
import dev.thrillring.engine.RuleResource;
import dev.thrillring.engine.RuleSetCompiler;
import dev.thrillring.engine.RuleSetInvalid;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Workbooks generated from a table's schema: what the analyst sees (hidden engine rows, frozen
 * header, one cell per value, dropdowns, comments, a Notes sheet), that they read back as the same
 * rows, that an edit made in them is what gets compiled, and the same for OpenDocument files.
 */
class TableWorkbookTest {
    private static final String PLATFORM = AnalystWorkbooks.PLATFORM;

    private static TableCheck.Result shipped() {
        List<RuleResource> all = new ArrayList<>(AnalystWorkbooks.platformWith("-", "-", null));
        all.removeLast();
        return TableCheck.read(all);
    }

    private static TableRows rows(TableCheck.Result read, String path) { return read.tables().get(path).getFirst(); }

    @ParameterizedTest
    @ValueSource(strings = {AnalystWorkbooks.ACHIEVEMENTS, AnalystWorkbooks.FACT_POINTS, AnalystWorkbooks.SCORING, AnalystWorkbooks.REWARDS, AnalystWorkbooks.FRAUD})
    void shouldReadAGeneratedWorkbookBackAsTheSameRows(String path) throws Exception {
        TableCheck.Result read = shipped();
        TableRows table = rows(read, path);
        for (String extension : List.of("xlsx", "ods")) {
            byte[] file = extension.equals("ods") ? TableWorkbook.ods(table) : TableWorkbook.xlsx(table, read.choices());
            String name = TableSchema.tableName(path) + ".drl." + extension;
            TableCheck.Result again = TableCheck.read(AnalystWorkbooks.platformWith(path, name, file));
            assertThat(again.errors()).as(name).isEmpty();
            TableRows back = again.tables().get(name).getFirst();
            assertThat(back.rows()).hasSameSizeAs(table.rows());
            for (int i = 0; i < table.rows().size(); i++) {
                assertThat(back.rows().get(i).values()).as(name + " row " + i).isEqualTo(table.rows().get(i).values());
            }
        }
    }

    @Test
    void shouldGiveTheAnalystOneCellPerValueWithHelpAndTheEngineRowsHiddenAndLocked() throws Exception {
        TableCheck.Result read = shipped();
        byte[] book = TableWorkbook.xlsx(rows(read, AnalystWorkbooks.ACHIEVEMENTS), read.choices());
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(book))) {
            XSSFSheet sheet = (XSSFSheet) wb.getSheetAt(0);
            assertThat(sheet.getSheetName()).isEqualTo("Achievements");
            for (int r = 0; r < 9; r++) assertThat(sheet.getRow(r).getZeroHeight()).as("row " + (r + 1)).isTrue();
            assertThat(sheet.getRow(9).getZeroHeight()).isFalse();
            assertThat(sheet.getPaneInformation().isFreezePane()).isTrue();
            assertThat(sheet.getPaneInformation().getHorizontalSplitPosition()).isEqualTo((short) 10);
            assertThat(sheet.getProtect()).isTrue();
            assertThat(sheet.getRow(1).getCell(0).getCellStyle().getLocked()).isTrue();
            assertThat(sheet.getRow(10).getCell(2).getCellStyle().getLocked()).isFalse();
            List<String> headers = new ArrayList<>();
            sheet.getRow(9).forEach(c -> headers.add(c.getStringCellValue()));
            assertThat(headers).startsWith("Key", "Metric", "Threshold", "Period", "Requires", "Points", "Name");
            // One cell per value: the threshold is a number of its own, not part of "key, metric, 10, all_time".
            assertThat(sheet.getRow(11).getCell(0).getStringCellValue()).isEqualTo("campaigns-bronze");
            assertThat(sheet.getRow(11).getCell(2).getNumericCellValue()).isEqualTo(10.0);
            assertThat(sheet.getRow(9).getCell(3).getCellComment().getString().getString()).contains("One of: day, week, month, all_time");
            assertThat(sheet.getColumnWidth(0)).isGreaterThan(16 * 256);
            var validations = sheet.getDataValidations();
            assertThat(validations).extracting(v -> v.getRegions().getCellRangeAddress(0).getFirstColumn())
                    .contains(1, 2, 3, 4, 5, 9, 10, 11, 12);
            var period = validations.stream().filter(v -> v.getRegions().getCellRangeAddress(0).getFirstColumn() == 3).findFirst().orElseThrow();
            assertThat(period.getValidationConstraint().getExplicitListValues()).containsExactly("day", "week", "month", "all_time");
            assertThat(wb.getSheet("Notes")).isNotNull();
            assertThat(wb.getSheet("Notes").getRow(0).getCell(0).getStringCellValue()).contains("Achievements");
            assertThat(wb.isSheetHidden(wb.getSheetIndex("Lists"))).isTrue();
        }
    }

    @Test
    void shouldCompileAThresholdEditedInTheGeneratedWorkbook() throws Exception {
        TableCheck.Result read = shipped();
        byte[] book = edit(TableWorkbook.xlsx(rows(read, AnalystWorkbooks.ACHIEVEMENTS), read.choices()),
                s -> s.getRow(11).getCell(2).setCellValue(12.5));
        List<RuleResource> rules = AnalystWorkbooks.platformWith(AnalystWorkbooks.ACHIEVEMENTS, "achievement-thresholds.drl.xlsx", book);
        TableRows back = TableCheck.read(rules).tables().get("achievement-thresholds.drl.xlsx").getFirst();
        assertThat(back.rows().get(1).cell(0)).isEqualTo("campaigns-bronze, campaigns_launched, 12.5, all_time");
        CompiledRuleSet set = new RuleSetCompiler().compile("platform-" + PLATFORM, "edited", rules);
        try {
            assertThat(set.ruleCount()).isGreaterThan(50);
        } finally {
            set.dispose();
        }
    }

    @Test
    void shouldPointAMistakeInTheGeneratedWorkbookAtItsOwnCell() throws Exception {
        TableCheck.Result read = shipped();
        byte[] book = edit(TableWorkbook.xlsx(rows(read, AnalystWorkbooks.ACHIEVEMENTS), read.choices()),
                s -> s.getRow(11).getCell(3).setCellValue("weekly"));
        List<RuleSetInvalid.Error> errors = new RuleSetCompiler().check("platform-" + PLATFORM,
                AnalystWorkbooks.platformWith(AnalystWorkbooks.ACHIEVEMENTS, "achievement-thresholds.drl.xlsx", book));
        assertThat(errors).hasSize(1);
        assertThat(errors.getFirst().cell()).isEqualTo("D12");
        assertThat(errors.getFirst().column()).isEqualTo("Period");
        assertThat(errors.getFirst().message()).contains("Period must be one of day, week, month, all_time; found 'weekly'");

        byte[] fraud = edit(TableWorkbook.xlsx(rows(read, AnalystWorkbooks.FRAUD), read.choices()), s -> s.getRow(10).getCell(3).setCellValue("0,35"));
        errors = new RuleSetCompiler().check("platform-" + PLATFORM, AnalystWorkbooks.platformWith(AnalystWorkbooks.FRAUD, "fraud-indicators.drl.xlsx", fraud));
        assertThat(errors).hasSize(1);
        assertThat(errors.getFirst().cell()).isEqualTo("D11");
        assertThat(errors.getFirst().message()).contains("Weight uses a decimal comma: found '0,35'");
    }

    @Test
    void shouldReadAnOdsTableEditedWithAnOdfLibrary() throws Exception {
        TableCheck.Result read = shipped();
        SpreadSheet ss = new SpreadSheet(new ByteArrayInputStream(TableWorkbook.ods(rows(read, AnalystWorkbooks.FACT_POINTS))));
        ss.getSheet(0).getRange(10, 1).setValue(80.0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ss.save(out);
        List<RuleResource> rules = AnalystWorkbooks.platformWith(AnalystWorkbooks.FACT_POINTS, "fact-points.drl.ods", out.toByteArray());
        TableRows back = TableCheck.read(rules).tables().get("fact-points.drl.ods").getFirst();
        assertThat(back.rows().getFirst().cell(0)).isEqualTo("campaign.launched");
        assertThat(back.rows().getFirst().cell(1)).isEqualTo("80");
        CompiledRuleSet set = new RuleSetCompiler().compile("platform-" + PLATFORM, "ods", rules);
        set.dispose();
    }

    @Test
    void shouldReadAnOdsFileSavedByLibreOffice() throws Exception {
        // Saved by LibreOffice (soffice --headless --convert-to ods) from generated workbooks whose
        // campaign.launched points were set to 65, and in the second also lead.captured's to the text "5,5".
        byte[] saved = Files.readAllBytes(Path.of("src/test/resources/tables/fact-points-libreoffice-comma.drl.ods"));
        List<RuleSetInvalid.Error> errors = new RuleSetCompiler().check("platform-" + PLATFORM,
                AnalystWorkbooks.platformWith(AnalystWorkbooks.FACT_POINTS, "fact-points.drl.ods", saved));
        assertThat(errors).hasSize(1);
        assertThat(errors.getFirst().cell()).isEqualTo("B12");
        assertThat(errors.getFirst().message()).contains("decimal comma");

        byte[] good = Files.readAllBytes(Path.of("src/test/resources/tables/fact-points-libreoffice-good.drl.ods"));
        List<RuleResource> rules = AnalystWorkbooks.platformWith(AnalystWorkbooks.FACT_POINTS, "fact-points.drl.ods", good);
        TableRows back = TableCheck.read(rules).tables().get("fact-points.drl.ods").getFirst();
        assertThat(back.rows().getFirst().cell(1)).isEqualTo("65");
        new RuleSetCompiler().compile("platform-" + PLATFORM, "libreoffice", rules).dispose();
    }

    private static byte[] edit(byte[] book, Consumer<Sheet> change) throws Exception {
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(book)); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            change.accept(wb.getSheetAt(0));
            wb.write(out);
            return out.toByteArray();
        }
    }
}
