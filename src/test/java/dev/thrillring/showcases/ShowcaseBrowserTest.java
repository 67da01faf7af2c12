package dev.thrillring.showcases;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A showcase as a browser draws it: headless Chromium at phone and desktop widths, without
 * JavaScript. Screenshots go to target/screenshots, or to {@code -Dthrillring.screenshots=DIR}
 * (docs/screenshots for the documentation). Skipped, saying so, only when Chromium is missing.
 */
class ShowcaseBrowserTest {
    static final TestServer app = TestServer.shared();
    static final String CHROMIUM = findChromium();
    static String page;

    static String findChromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(c))) return c;
        }
        return null;
    }

    @BeforeAll
    static void showcase() {
        Assumptions.assumeTrue(CHROMIUM != null, "Chromium is not installed (apt-get install -y chromium); the browser test is skipped");
        String tenant = app.createTenant("Northwind Growth Studio", "bizoholic");
        String admin = app.issueKey(tenant, "tenant_admin");
        String ingest = app.issueKey(tenant, "ingest");
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        java.time.Instant t0 = java.time.Instant.now().minusSeconds(3600);
        int n = 0;
        for (int i = 0; i < 3; i++) post(ingest, tenant, "b" + n++, "campaign.launched", now.minusMonths(1).atDay(5 + i).atTime(10, 0).toInstant(ZoneOffset.UTC), "{}");
        for (int i = 0; i < 8; i++) post(ingest, tenant, "b" + n++, "campaign.launched", t0.plusSeconds(i), "{}");
        for (int i = 0; i < 4; i++) post(ingest, tenant, "b" + n++, "lead.captured", now.minusMonths(1).atDay(6).atTime(9, i).toInstant(ZoneOffset.UTC), "{\"count\":10}");
        for (int i = 0; i < 6; i++) post(ingest, tenant, "b" + n++, "lead.captured", t0.plusSeconds(100 + i), "{\"count\":15}");
        var g = app.post("/api/v1/gamification/portfolio/generate", admin, "{\"tenant_id\":\"" + tenant + "\",\"platform\":\"bizoholic\"}");
        assertThat(g.status()).as(g.body()).isEqualTo(201);
        String base = "/api/v1/showcases/" + tenant + "/portfolios/" + g.json().get("portfolio_id").asText();
        app.send("PATCH", base, admin, "application/json", "{\"description\":\"A growth marketing studio for independent shops.\","
                + "\"custom_branding\":{\"primary_color\":\"#5b3cc4\",\"accent_color\":\"#0b7a53\",\"theme\":\"light\"}}");
        app.post(base + "/testimonials", admin, "{\"quote\":\"Our campaigns finally run on a schedule we can keep.\",\"author\":\"Maria Lopez\",\"role\":\"Owner\",\"company\":\"Lopez Bakery\"}");
        app.post(base + "/metrics", admin, "{\"metric_name\":\"Client retention\",\"metric_value\":94,\"metric_unit\":\"percentage\",\"comparison_baseline\":81,\"time_period\":\"2026\",\"baseline_period\":\"2025\"}");
        page = g.json().get("showcase_url").asText().replaceFirst("^https?://[^/]+", "");
    }

    static void post(String key, String tenant, String id, String type, java.time.Instant at, String attributes) {
        var r = app.post("/api/v1/facts", key, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"type\":\"" + type
                + "\",\"occurred_at\":\"" + at + "\",\"attributes\":" + attributes + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static Path run(String name, int width, int height, String... extra) throws Exception {
        Path dir = Path.of(System.getProperty("thrillring.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        Path out = dir.resolve(name).toAbsolutePath();
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height));
        cmd.addAll(List.of(extra));
        cmd.add(app.baseUrl() + page);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .directory(dir.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        String log = Files.readString(dir.resolve(name + ".log"));
        Files.deleteIfExists(dir.resolve(name + ".log"));
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(out).as(log).exists();
        return out;
    }

    @Test
    void shouldRenderAtPhoneAndDesktopWidthsWithoutJavaScript() throws Exception {
        for (var size : List.of(new int[] {390, 1800}, new int[] {1280, 1400})) {
            String name = "showcase-" + (size[0] < 600 ? "phone" : "desktop") + ".png";
            Path png = run(name, size[0], size[1], "--screenshot=" + Path.of(System.getProperty("thrillring.screenshots", "target/screenshots")).resolve(name).toAbsolutePath());
            BufferedImage img = ImageIO.read(png.toFile());
            assertThat(img.getWidth()).isEqualTo(size[0]);
            // The header is drawn in the brand colour: the page rendered, styles applied.
            int rgb = img.getRGB(size[0] / 2, 20) & 0xffffff;
            assertThat(rgb).as("brand colour at the top").isEqualTo(0x5b3cc4);
        }
    }

    @Test
    void shouldShowTheNumbersInTheRenderedDom() throws Exception {
        Path dir = Path.of("target/screenshots");
        Files.createDirectories(dir);
        List<String> cmd = List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"), "--dump-dom", app.baseUrl() + page);
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("dom.log").toFile()).start();
        String dom = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(dom).as(Files.readString(dir.resolve("dom.log"))).contains("Northwind Growth Studio", "Campaigns launched", "Unverified: entered by the business", "Maria Lopez");
    }
}
