package dev.thrillring.engine.authoring;

import dev.thrillring.engine.authoring.AnalystWorkbooks.Mistake;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every analyst mistake uploaded through the API, as a platform's base table and as a tenant's
 * overlay: each answers 422 naming the file and the cell in business words, never a 500, and
 * nothing refused becomes a version that could be activated.
 */
class AnalystUploadTest {

    @Test
    void shouldAnswerEveryMistakeWith422AtItsCellAndNeverA500() throws Exception {
        TestServer app = TestServer.shared();
        Response key = app.post("/api/v1/platforms/" + AnalystWorkbooks.PLATFORM + "/api-keys", TestServer.ADMIN_KEY, "");
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        String admin = key.json().get("api_key").asText();
        String base = "/api/v1/platforms/" + AnalystWorkbooks.PLATFORM + "/rulesets";
        int versionsBefore = app.get(base + "/versions", admin).json().get("versions").size();
        List<Mistake> mistakes = AnalystWorkbooks.mistakes();
        for (Mistake m : mistakes) {
            Response r = app.upload(base + "/versions", admin, Map.of(m.file(), m.content()), m.name());
            assertThat(r.status()).as(m.name() + ": " + r.body()).isEqualTo(422);
            var error = r.json().get("errors").get(0);
            assertThat(error.get("file").asText()).as(m.name()).endsWith(m.file());
            assertThat(error.get("cell").asText()).as(m.name() + ": " + r.body()).isEqualTo(m.cell());
            assertThat(error.get("message").asText().toLowerCase()).as(m.name()).contains(m.words().getFirst().toLowerCase());
        }
        assertThat(app.get(base + "/versions", admin).json().get("versions").size()).isEqualTo(versionsBefore);

        String tenant = app.createTenant("Analyst", AnalystWorkbooks.PLATFORM);
        String analyst = app.issueKey(tenant, "analyst");
        for (Mistake m : mistakes.subList(0, 6)) {
            Response r = app.upload("/api/v1/rulesets/" + tenant + "/versions", analyst, Map.of(m.file(), m.content()), m.name());
            assertThat(r.status()).as(m.name() + ": " + r.body()).isEqualTo(422);
            assertThat(r.body()).as(m.name()).contains("\"cell\":\"" + m.cell() + "\"");
        }
    }
}
