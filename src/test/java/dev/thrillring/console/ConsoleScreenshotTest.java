package dev.thrillring.console;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headless Chromium (Debian's {@code chromium}) renders the console's sign-in page at desktop and
 * phone widths into docs/screenshots/. Skipped, with the reason, where chromium is not installed.
 */
class ConsoleScreenshotTest {
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    static TestServer app;

    @BeforeAll
    static void setUp() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "headless browser tests skipped: " + CHROMIUM + " is missing (apt-get install chromium, or set CHROMIUM)");
        app = TestServer.shared();
    }

    static Path shoot(String url, String name, String size) throws Exception {
        Path out = Path.of("docs/screenshots", name).toAbsolutePath();
        Files.createDirectories(out.getParent());
        Files.deleteIfExists(out);
        Path profile = Files.createTempDirectory("chromium-console");
        Process p = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--screenshot=" + out, "--window-size=" + size, url)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return out;
    }

    @Test
    void shouldRenderTheSignInPageAtDesktopAndPhoneWidths() throws Exception {
        for (var shot : List.of(new String[]{"console-sign-in-desktop.png", "1280,800"}, new String[]{"console-sign-in-phone.png", "390,844"})) {
            Path png = shoot(app.baseUrl() + "/console/sign-in", shot[0], shot[1]);
            assertThat(png).exists();
            assertThat(Files.size(png)).as("a rendered page, not a blank one").isGreaterThan(10_000);
        }
    }
}
